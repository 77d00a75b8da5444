namespace Rose.Core.Migrations.Lint;

/// <summary>
/// Which default expressions PostgreSQL (11+) must evaluate per existing row on ADD COLUMN, and
/// so rewrite the table for. Non-volatile defaults are evaluated once and stored in the catalog.
/// </summary>
internal static class VolatileDefaults
{
    /// <summary>Stable or immutable built-ins that are fine as defaults (evaluated once at ALTER time).</summary>
    private static readonly HashSet<string> Safe = new(StringComparer.OrdinalIgnoreCase)
    {
        "now", "transaction_timestamp", "current_timestamp", "current_date", "localtimestamp", "current_user", "session_user",
    };

    /// <summary>Known volatile built-ins; any other function call is treated as "may be volatile".</summary>
    private static readonly HashSet<string> Volatile = new(StringComparer.OrdinalIgnoreCase)
    {
        "random", "clock_timestamp", "timeofday", "gen_random_uuid", "uuid_generate_v1", "uuid_generate_v1mc",
        "uuid_generate_v4", "uuidv4", "uuidv7", "nextval", "txid_current", "statement_timestamp", "random_normal", "setseed",
    };

    /// <summary>True when the expression calls a known volatile function.</summary>
    public static bool IsVolatile(JsonElement expr) => LintTree.FunctionNames(expr).Any(Volatile.Contains);

    /// <summary>The first call in the expression that is not known to be safe, or null when none.</summary>
    public static string? UnsafeCall(JsonElement expr) => LintTree.FunctionNames(expr).FirstOrDefault(f => !Safe.Contains(f));
}

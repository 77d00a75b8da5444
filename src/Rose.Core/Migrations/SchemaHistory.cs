namespace Rose.Core.Migrations;

/// <summary>A row of rose_schema_history.</summary>
public sealed record HistoryRow(
    long InstalledRank,
    string? Version,
    string Description,
    string Type,
    string Script,
    string? Checksum,
    string InstalledBy,
    DateTimeOffset InstalledOn,
    int ExecutionTime,
    bool Success);

/// <summary>
/// The history table in the TARGET (Flyway's columns, plus installed_rank as the key). Written only
/// through a <see cref="TargetSession"/> of the executor, in the same transaction as the migration.
/// </summary>
public static class SchemaHistory
{
    public const string Table = "rose_schema_history";

    /// <summary>Fixed key of the session-level advisory lock every runner of every Rose instance takes.</summary>
    public const long AdvisoryLockKey = 0x526F73654D696772; // "RoseMigr"

    // The partial unique index is what makes a second runner (or a late approval) that slipped past
    // the lock fail instead of applying a version twice.
    private static readonly string[] CreateSql =
    [
        """
        CREATE TABLE IF NOT EXISTS rose_schema_history (
            installed_rank  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            version         text,
            description     text NOT NULL,
            type            text NOT NULL,
            script          text NOT NULL,
            checksum        text,
            installed_by    text NOT NULL,
            installed_on    timestamptz NOT NULL DEFAULT now(),
            execution_time  integer NOT NULL DEFAULT 0,
            success         boolean NOT NULL
        )
        """,
        "CREATE UNIQUE INDEX IF NOT EXISTS rose_schema_history_version_ok ON rose_schema_history (version) WHERE success AND type = 'SQL'",
    ];

    /// <summary>Whether a name a statement wrote is the history table itself (bare or schema-qualified).</summary>
    public static bool IsHistoryTable(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var bare = name[(name.LastIndexOf('.') + 1)..].Trim('"');
        return string.Equals(bare, Table, StringComparison.Ordinal);
    }

    public const string InsertSql =
        "INSERT INTO rose_schema_history (version, description, type, script, checksum, installed_by, execution_time, success) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

    internal static async Task EnsureAsync(TargetSession session, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(session);
        var exists = await session.QueryAsync("SELECT to_regclass('rose_schema_history') IS NOT NULL", [], ct);
        if (exists[0][0] is true)
        {
            return;
        }

        foreach (var sql in CreateSql)
        {
            await session.QueryAsync(sql, [], ct);
        }
    }

    internal static Task<IReadOnlyList<HistoryRow>> ReadAsync(TargetSession session, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(session);
        return ReadAsync(session.QueryAsync, ct);
    }

    /// <summary>Reads the history with any query function (a session, or the executor's read-only catalog read).</summary>
    internal static async Task<IReadOnlyList<HistoryRow>> ReadAsync(
        Func<string, IReadOnlyList<object?>, CancellationToken, Task<List<object?[]>>> query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        var exists = await query("SELECT to_regclass('rose_schema_history') IS NOT NULL", [], ct);
        if (exists[0][0] is not true)
        {
            return [];
        }

        var rows = await query(
            "SELECT installed_rank, version, description, type, script, checksum, installed_by, installed_on, execution_time, success FROM rose_schema_history ORDER BY installed_rank",
            [], ct);
        return [.. rows.Select(r => new HistoryRow((long)r[0]!, (string?)r[1], (string)r[2]!, (string)r[3]!, (string)r[4]!, (string?)r[5],
            (string)r[6]!, new DateTimeOffset((DateTime)r[7]!, TimeSpan.Zero), (int)r[8]!, (bool)r[9]!))];
    }

    /// <summary>History type for a script: Flyway writes "SQL" for versioned and repeatable SQL migrations.</summary>
    public static string TypeOf(MigrationScript script) => script.Type switch
    {
        MigrationType.Undo => "UNDO_SQL",
        _ => "SQL",
    };

    internal static Task InsertAsync(TargetSession session, MigrationScript script, string installedBy, int executionMs, bool success, CancellationToken ct) =>
        session.QueryAsync(InsertSql, InsertParameters(script, installedBy, executionMs, success), ct);

    /// <summary>The parameters of <see cref="InsertSql"/> for one script.</summary>
    internal static object?[] InsertParameters(MigrationScript script, string installedBy, int executionMs, bool success) =>
        [script.Version?.Text, script.Description, TypeOf(script), script.FileName, script.Checksum, installedBy, executionMs, success];

    /// <summary>
    /// Many history rows in one statement (a single-transaction run, in id order as applied): the rows
    /// <see cref="InsertSql"/> would write one by one.
    /// </summary>
    internal const string InsertManySql =
        "INSERT INTO rose_schema_history (version, description, type, script, checksum, installed_by, execution_time, success) " +
        "SELECT v, d, t, s, c, b, e, ok FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::bool[]) " +
        "WITH ORDINALITY AS r(v, d, t, s, c, b, e, ok, n) ORDER BY n";

    internal static object?[] InsertManyParameters(IReadOnlyList<(MigrationScript Script, int ExecutionMs)> rows, string installedBy, bool success) =>
        [rows.Select(r => r.Script.Version?.Text).ToArray(), rows.Select(r => r.Script.Description).ToArray(), rows.Select(r => TypeOf(r.Script)).ToArray(),
         rows.Select(r => r.Script.FileName).ToArray(), rows.Select(r => r.Script.Checksum).ToArray(), rows.Select(_ => installedBy).ToArray(),
         rows.Select(r => r.ExecutionMs).ToArray(), rows.Select(_ => success).ToArray()];

    /// <summary>Undo removes the versioned row (the version becomes pending again) and records the undo itself.</summary>
    internal static Task DeleteVersionAsync(TargetSession session, MigrationVersion version, CancellationToken ct) =>
        session.QueryAsync("DELETE FROM rose_schema_history WHERE version = $1 AND type = 'SQL'", [version.Text], ct);
}

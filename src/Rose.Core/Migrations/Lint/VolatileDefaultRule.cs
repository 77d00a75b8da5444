namespace Rose.Core.Migrations.Lint;

/// <summary>
/// ADD COLUMN with a volatile DEFAULT (random(), clock_timestamp(), gen_random_uuid() ...) rewrites
/// the whole table under an ACCESS EXCLUSIVE lock; a constant default is a catalog-only change.
/// </summary>
public sealed class VolatileDefaultRule : IMigrationLintRule
{
    /// <summary>Volatile built-ins commonly used as defaults (now() and current_timestamp are stable, so they are fine).</summary>
    private static readonly HashSet<string> Volatile = new(StringComparer.OrdinalIgnoreCase)
    {
        "random", "clock_timestamp", "timeofday", "gen_random_uuid", "uuid_generate_v1", "uuid_generate_v1mc",
        "uuid_generate_v4", "nextval", "txid_current", "statement_timestamp", "random_normal",
    };

    public string Id => "adding-field-with-volatile-default";

    public IEnumerable<LintFinding> Check(IReadOnlyList<LintStatement> migration, LintContext context)
    {
        foreach (var s in migration)
        {
            foreach (var cmd in LintTree.AlterCommands(s).Where(c => LintTree.Str(c, "subtype") == "AT_AddColumn"))
            {
                if (LintTree.ColumnDef(cmd) is not { } col)
                {
                    continue;
                }

                var defaults = LintTree.ColumnConstraints(col).Where(c => LintTree.Str(c, "contype") == "CONSTR_DEFAULT");
                var volatileCall = defaults.SelectMany(LintTree.FunctionNames).FirstOrDefault(Volatile.Contains);
                if (volatileCall is not null)
                {
                    yield return new LintFinding(Id, LintSeverity.Warning, s.Statement.Index,
                        $"Column {LintTree.Str(col, "colname")} gets the volatile default {volatileCall}(): {LintTree.Relation(s.Body)} is rewritten under an ACCESS EXCLUSIVE lock.",
                        "Add the column without a default (or with a constant), set the default afterwards, and backfill in batches.");
                }
            }
        }
    }
}

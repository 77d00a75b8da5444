namespace Rose.Core.Migrations.Lint;

/// <summary>
/// ADD PRIMARY KEY builds its unique index while holding ACCESS EXCLUSIVE: every read and write
/// waits for the build. Building the index CONCURRENTLY first and adding the key USING INDEX does not.
/// </summary>
public sealed class AddingSerialPrimaryKeyFieldRule() : LintRule(
    "adding-serial-primary-key-field",
    LintSeverity.Warning,
    "ADD PRIMARY KEY (or a new PRIMARY KEY column) builds the index while reads and writes wait (ACCESS EXCLUSIVE).",
    ["adding-serial-primary-key-field", "constraint-missing-not-valid"])
{
    public override IEnumerable<LintFinding> Check(IReadOnlyList<LintStatement> migration, LintContext context)
    {
        foreach (var s in migration)
        {
            var addsKey = LintTree.AlterCommands(s).Any(cmd =>
                (LintTree.AddedConstraint(cmd) is { } con && LintTree.Str(con, "contype") == "CONSTR_PRIMARY" && LintTree.Str(con, "indexname") is null)
                || (LintTree.Str(cmd, "subtype") == "AT_AddColumn" && LintTree.ColumnDef(cmd) is { } col && LintTree.HasConstraint(col, "CONSTR_PRIMARY")));
            if (addsKey)
            {
                yield return Finding(s,
                    $"Adding a primary key to {LintTree.Relation(s.Body)} builds its index while reads and writes wait.",
                    "CREATE UNIQUE INDEX CONCURRENTLY first, then ALTER TABLE ... ADD CONSTRAINT ... PRIMARY KEY USING INDEX.", TableImpact.Scan);
            }
        }
    }
}

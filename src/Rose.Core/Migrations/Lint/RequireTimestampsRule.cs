namespace Rose.Core.Migrations.Lint;

/// <summary>Golden rule: every table records when a row was created and last changed.</summary>
public sealed class RequireTimestampsRule() : LintRule(
    "require-timestamps",
    LintSeverity.Info,
    "Golden rule: every new table has created_at and updated_at (timestamptz) columns.")
{
    private static readonly string[] Required = ["created_at", "updated_at"];

    public override IEnumerable<LintFinding> Check(IReadOnlyList<LintStatement> migration, LintContext context)
    {
        foreach (var s in migration.Where(NewTables.IsStandalone))
        {
            var columns = NewTables.ColumnDefs(s).Select(c => LintTree.Str(c, "colname")).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var missing = Required.Where(r => !columns.Contains(r)).ToList();
            if (missing.Count > 0)
            {
                yield return Finding(s, $"Table {LintTree.Relation(s.Body)} has no {string.Join(" or ", missing)} column.",
                    "Add created_at timestamptz NOT NULL DEFAULT now() and updated_at timestamptz NOT NULL DEFAULT now().");
            }
        }
    }
}

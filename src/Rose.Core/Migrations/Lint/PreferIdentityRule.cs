namespace Rose.Core.Migrations.Lint;

/// <summary>serial is a sequence plus a default with loose ownership and permissions; identity columns are the SQL-standard form.</summary>
public sealed class PreferIdentityRule() : LintRule(
    "prefer-identity",
    LintSeverity.Info,
    "serial/bigserial columns: identity columns have clearer ownership and permissions.",
    ["prefer-identity"])
{
    public override IEnumerable<LintFinding> Check(IReadOnlyList<LintStatement> migration, LintContext context)
    {
        foreach (var s in migration)
        {
            foreach (var col in LintTree.Columns(s).Where(c => c.Type is "serial" or "serial4" or "serial8" or "bigserial" or "smallserial" or "serial2"))
            {
                yield return Finding(s, $"Column {col.Name} is {col.Type}: a separately owned sequence whose permissions and copies surprise.",
                    "Use bigint GENERATED ALWAYS AS IDENTITY.");
            }
        }
    }
}

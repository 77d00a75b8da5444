namespace Rose.Core.Migrations.Lint;

/// <summary>varchar(n) limits change only with ALTER COLUMN TYPE (ACCESS EXCLUSIVE); text with a CHECK changes cheaply.</summary>
public sealed class PreferTextFieldRule() : LintRule(
    "prefer-text-field",
    LintSeverity.Info,
    "varchar(n): changing the limit later takes ACCESS EXCLUSIVE; text with a CHECK does not.",
    ["prefer-text-field"])
{
    public override IEnumerable<LintFinding> Check(IReadOnlyList<LintStatement> migration, LintContext context)
    {
        foreach (var s in migration)
        {
            foreach (var col in LintTree.Columns(s).Where(c => c.Type is "varchar" && LintTree.Array(LintTree.Prop(c.Def, "typeName"), "typmods").Any()))
            {
                yield return Finding(s, $"Column {col.Name} is varchar(n): changing its limit later locks the table with ACCESS EXCLUSIVE.",
                    "Use text with a CHECK (char_length(col) <= n) constraint, added NOT VALID when the table exists.");
            }
        }
    }
}

namespace Rose.Core.Migrations.Lint;

/// <summary>char(n) pads with spaces, compares surprisingly and is no faster than text.</summary>
public sealed class BanCharFieldRule() : LintRule(
    "ban-char-field",
    LintSeverity.Warning,
    "char(n) pads values with spaces and is never faster than text.",
    ["ban-char-field"])
{
    public override IEnumerable<LintFinding> Check(IReadOnlyList<LintStatement> migration, LintContext context)
    {
        foreach (var s in migration)
        {
            foreach (var col in LintTree.Columns(s).Where(c => c.Type is "bpchar" or "char" or "character"))
            {
                yield return Finding(s,
                    $"Column {col.Name} is char(n): values are blank-padded and compare in surprising ways.",
                    "Use text (with a CHECK on length if the limit matters).");
            }
        }
    }
}

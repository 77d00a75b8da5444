namespace Rose.Core.Migrations.Lint;

/// <summary>json keeps the raw text: no equality operator, no GIN index, re-parsed on every access.</summary>
public sealed class PreferJsonbRule() : LintRule(
    "prefer-jsonb",
    LintSeverity.Warning,
    "json columns cannot be compared or GIN-indexed and are re-parsed on every read; use jsonb.")
{
    public override IEnumerable<LintFinding> Check(IReadOnlyList<LintStatement> migration, LintContext context)
    {
        foreach (var s in migration)
        {
            foreach (var col in LintTree.Columns(s).Where(c => c.Type is "json" or "json[]"))
            {
                yield return Finding(s, $"Column {col.Name} is json: it has no equality operator, no GIN index, and is re-parsed on every access.",
                    "Use jsonb.");
            }
        }
    }
}

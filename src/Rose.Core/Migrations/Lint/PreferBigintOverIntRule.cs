namespace Rose.Core.Migrations.Lint;

/// <summary>32-bit keys and counters run out; widening them later rewrites the table.</summary>
public sealed class PreferBigintOverIntRule() : LintRule(
    "prefer-bigint-over-int",
    LintSeverity.Info,
    "int columns overflow at 2^31; widening one later rewrites the table.",
    ["prefer-bigint-over-int"])
{
    public override IEnumerable<LintFinding> Check(IReadOnlyList<LintStatement> migration, LintContext context)
    {
        foreach (var s in migration)
        {
            foreach (var col in LintTree.Columns(s).Where(c => c.Type is "int4" or "int" or "integer" or "serial" or "serial4"))
            {
                yield return Finding(s, $"Column {col.Name} is a 32-bit integer: it overflows at 2,147,483,647 and widening it later rewrites the table.",
                    "Use bigint (or bigint GENERATED ... AS IDENTITY for keys).");
            }
        }
    }
}

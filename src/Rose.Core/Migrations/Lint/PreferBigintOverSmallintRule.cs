namespace Rose.Core.Migrations.Lint;

/// <summary>16-bit integers overflow at 32,767; widening later rewrites the table.</summary>
public sealed class PreferBigintOverSmallintRule() : LintRule(
    "prefer-bigint-over-smallint",
    LintSeverity.Info,
    "smallint columns overflow at 32,767; widening one later rewrites the table.",
    ["prefer-bigint-over-smallint"])
{
    public override IEnumerable<LintFinding> Check(IReadOnlyList<LintStatement> migration, LintContext context)
    {
        foreach (var s in migration)
        {
            foreach (var col in LintTree.Columns(s).Where(c => c.Type is "int2" or "smallint" or "smallserial" or "serial2"))
            {
                yield return Finding(s, $"Column {col.Name} is a 16-bit integer: it overflows at 32,767 and widening it later rewrites the table.",
                    "Use bigint.");
            }
        }
    }
}

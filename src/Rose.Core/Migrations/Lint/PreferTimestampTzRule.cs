namespace Rose.Core.Migrations.Lint;

/// <summary>timestamp without time zone stores wall-clock values that change meaning with the session's TimeZone.</summary>
public sealed class PreferTimestampTzRule() : LintRule(
    "prefer-timestamp-tz",
    LintSeverity.Warning,
    "timestamp without time zone loses the instant; use timestamptz.",
    ["prefer-timestamp-tz"])
{
    public override IEnumerable<LintFinding> Check(IReadOnlyList<LintStatement> migration, LintContext context)
    {
        foreach (var s in migration)
        {
            foreach (var col in LintTree.Columns(s).Where(c => c.Type is "timestamp"))
            {
                yield return Finding(s, $"Column {col.Name} is timestamp without time zone: it stores a wall-clock time, not an instant.",
                    "Use timestamptz.");
            }
        }
    }
}

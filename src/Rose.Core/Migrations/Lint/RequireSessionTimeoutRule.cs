namespace Rose.Core.Migrations.Lint;

/// <summary>
/// A migration that takes table locks before it SETs one of its session timeouts: the rules for
/// lock_timeout and statement_timeout differ only in the setting and what they advise.
/// </summary>
public abstract class RequireSessionTimeoutRule(string setting, string hint, string id, LintSeverity severity, string description, IReadOnlyList<string> squawk)
    : LintRule(id, severity, description, squawk)
{
    public override IEnumerable<LintFinding> Check(IReadOnlyList<LintStatement> migration, LintContext context)
    {
        if (SessionSettings.FirstLockWithout(migration, setting) is { } s)
        {
            yield return Finding(s, $"The migration takes table locks without setting {setting} first.", hint);
        }
    }
}

using Rose.Core.Migrations.Lint;

namespace Rose.Console.Components.Pages.Migrations;

/// <summary>The words and colours the Migrations components show for states, decisions and lint severities.</summary>
public static class MigrationLabels
{
    public static string StateName(MigrationState s) => s == MigrationState.OutOfOrder ? "out_of_order" : s.ToString().ToLowerInvariant();

    public static Color StateColor(MigrationState s) => s switch
    {
        MigrationState.Applied => Color.Success,
        MigrationState.Pending => Color.Info,
        MigrationState.Missing => Color.Warning,
        _ => Color.Error,
    };

    public static string DecisionName(Decision d) => d.ToString().ToLowerInvariant();

    public static Color DecisionColor(Decision d) => d switch
    {
        Decision.Allow => Color.Success,
        Decision.Approval => Color.Warning,
        _ => Color.Error,
    };

    public static Color SeverityColor(LintSeverity s) => s switch
    {
        LintSeverity.Error => Color.Error,
        LintSeverity.Warning => Color.Warning,
        _ => Color.Info,
    };

    public static string ResultText(MigrationRunResult r) => r.Status switch
    {
        MigrationRunStatus.Succeeded when r.DryRun => $"Dry run succeeded: {r.Applied.Count} migration(s) tried and rolled back.",
        MigrationRunStatus.Succeeded => r.Applied.Count == 0 ? "Up to date: nothing to apply." : $"Applied {r.Applied.Count} migration(s).",
        MigrationRunStatus.PendingApproval => "Waiting for approval: nothing was applied.",
        MigrationRunStatus.Denied => "Denied: " + string.Join("; ", r.Reasons ?? []),
        _ => "Failed: " + r.Error,
    };

    public static Severity ResultSeverity(MigrationRunResult r) => r.Status switch
    {
        MigrationRunStatus.Succeeded => Severity.Success,
        MigrationRunStatus.PendingApproval => Severity.Warning,
        _ => Severity.Error,
    };
}

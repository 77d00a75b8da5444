using Rose.Core.Validation;

namespace Rose.Console.Components.Pages.Validation;

/// <summary>The colours the validation components give check statuses, run health and audit severities.</summary>
public static class ValidationLabels
{
    public static Color StatusColor(string? status) => status switch
    {
        CheckStatus.Pass => Color.Success,
        CheckStatus.Warn or "info" or "warning" => Color.Warning,
        CheckStatus.Fail or CheckStatus.Error or "high" or "critical" => Color.Error,
        _ => Color.Default,
    };
}

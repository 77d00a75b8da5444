using System.Text.Json.Serialization;

namespace Rose.Core.Validation;

/// <summary>Counts of one run, stored as rose.validation_runs.summary.</summary>
public sealed record ValidationSummary(
    [property: JsonPropertyName("pass")] int Pass,
    [property: JsonPropertyName("warn")] int Warn,
    [property: JsonPropertyName("fail")] int Fail,
    [property: JsonPropertyName("error")] int Error,
    [property: JsonPropertyName("findings")] int Findings)
{
    public static ValidationSummary Of(IReadOnlyList<CheckResult> results, int findings) => new(
        results.Count(r => r.Status == CheckStatus.Pass), results.Count(r => r.Status == CheckStatus.Warn),
        results.Count(r => r.Status == CheckStatus.Fail), results.Count(r => r.Status == CheckStatus.Error), findings);

    /// <summary>pass, warn, fail or error: the worst result of the run.</summary>
    [JsonIgnore]
    public string Health => Error > 0 ? CheckStatus.Error : Fail > 0 ? CheckStatus.Fail : Warn > 0 ? CheckStatus.Warn : CheckStatus.Pass;
}

/// <summary>Everything one run found; results failing first.</summary>
public sealed record ValidationReport(
    long RunId,
    string Database,
    DateTimeOffset StartedAt,
    double DurationMs,
    string Status,
    ValidationSummary Summary,
    IReadOnlyList<CheckResult> Results,
    IReadOnlyList<SchemaFinding> Findings,
    IReadOnlyList<string> Errors);

/// <summary>Run states in rose.validation_runs.status.</summary>
public static class RunStatus
{
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Error = "error";

    /// <summary>The heartbeat stopped (the process died, or stalled past Rose:Validation:AbandonAfterSeconds); set by the sweep.</summary>
    public const string Abandoned = "abandoned";
}

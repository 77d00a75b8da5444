namespace Rose.Core.Validation;

/// <summary>Rose:Validation settings.</summary>
public sealed class ValidationOptions
{
    /// <summary>Minutes between scheduled runs of every target; 0 turns the schedule off.</summary>
    public int ScheduleMinutes { get; set; }

    /// <summary>Upper bound on one whole run; each statement is also bound by the target's statement_timeout.</summary>
    public int RunTimeoutSeconds { get; set; } = 600;
}

namespace Rose.Core.Validation;

/// <summary>Rose:Validation settings.</summary>
public sealed class ValidationOptions
{
    /// <summary>The smallest AbandonAfterSeconds accepted: below it a busy control database could make live runs look dead.</summary>
    public const int MinAbandonAfterSeconds = 10;

    /// <summary>Minutes between scheduled runs of every target; 0 turns the schedule off.</summary>
    public int ScheduleMinutes { get; set; }

    /// <summary>Upper bound on one whole run; each statement is also bound by the target's statement_timeout.</summary>
    public int RunTimeoutSeconds { get; set; } = 600;

    /// <summary>
    /// A run whose heartbeat is older than this is taken for dead (its process crashed or was killed):
    /// it is marked abandoned and its schedule slot may be claimed again. Runs beat every fifth of it.
    /// </summary>
    public int AbandonAfterSeconds { get; set; } = 300;

    /// <summary>How often a live run refreshes its heartbeat: five beats per abandon window, so a few late beats do not matter.</summary>
    public TimeSpan HeartbeatInterval => TimeSpan.FromSeconds(Math.Max(1, AbandonAfterSeconds / 5.0));
}

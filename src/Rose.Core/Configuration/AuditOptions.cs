namespace Rose.Core.Configuration;

/// <summary>Rose:Audit: where the chain's signed checkpoints are kept.</summary>
public sealed class AuditOptions
{
    /// <summary>The HMAC key that signs checkpoints; default audit-checkpoint.key under Rose:DataDir. Never in the control database.</summary>
    public string? CheckpointKeyFile { get; set; }

    /// <summary>How often the chain's head is signed.</summary>
    public int CheckpointIntervalSeconds { get; set; } = 60;

    /// <summary>How often attempts without an outcome are resolved (AuditRecovery); it also runs at start-up.</summary>
    public int RecoveryIntervalSeconds { get; set; } = 60;

    /// <summary>
    /// How old a run without a target transaction id (read-only, outside a transaction) must be before
    /// recovery marks it unknown; longer than any such run can last on another instance.
    /// </summary>
    public int RecoveryGraceSeconds { get; set; } = 900;
}

namespace Rose.Core.Configuration;

/// <summary>Rose:Audit: where the chain's signed checkpoints are kept.</summary>
public sealed class AuditOptions
{
    /// <summary>The HMAC key that signs checkpoints; default audit-checkpoint.key under Rose:DataDir. Never in the control database.</summary>
    public string? CheckpointKeyFile { get; set; }

    /// <summary>How often the chain's head is signed.</summary>
    public int CheckpointIntervalSeconds { get; set; } = 60;
}

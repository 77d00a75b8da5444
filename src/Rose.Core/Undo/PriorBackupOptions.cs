namespace Rose.Core.Undo;

/// <summary>Rose:PriorBackup: the limits and retention every target's prior backups share.</summary>
public sealed class PriorBackupOptions
{
    /// <summary>Most rows one statement's backup may hold; above it the statement parks or is denied (Fallback).</summary>
    public long MaxRows { get; set; } = 100_000;

    /// <summary>Most bytes (table size on the target) one statement's backup may take.</summary>
    public long MaxBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>approval | deny: what happens to a statement whose backup is over a limit or cannot be derived.</summary>
    public string Fallback { get; set; } = "approval";

    /// <summary>Backups older than this are dropped from the target by the cleanup job.</summary>
    public int RetentionDays { get; set; } = 7;

    /// <summary>How often the cleanup job looks for expired backups.</summary>
    public int CleanupIntervalMinutes { get; set; } = 60;

    /// <summary>True when a statement without a backup is denied rather than parked for approval.</summary>
    public bool DenyWithoutBackup => string.Equals(Fallback?.Trim(), "deny", StringComparison.OrdinalIgnoreCase);

    internal IEnumerable<string> Validate(string prefix)
    {
        if (MaxRows <= 0)
        {
            yield return $"{prefix}:MaxRows must be a positive number (was {MaxRows}).";
        }

        if (MaxBytes <= 0)
        {
            yield return $"{prefix}:MaxBytes must be a positive number (was {MaxBytes}).";
        }

        if (Fallback?.Trim().ToLowerInvariant() is not ("approval" or "deny"))
        {
            yield return $"{prefix}:Fallback '{Fallback}' is not one of approval, deny.";
        }

        if (RetentionDays <= 0)
        {
            yield return $"{prefix}:RetentionDays must be a positive number (was {RetentionDays}).";
        }

        if (CleanupIntervalMinutes <= 0)
        {
            yield return $"{prefix}:CleanupIntervalMinutes must be a positive number (was {CleanupIntervalMinutes}).";
        }
    }
}

namespace Rose.Core.Undo;

/// <summary>Rose:Migrations:DataSnapshots: how long data snapshots are kept on the console's disk.</summary>
public sealed class DataSnapshotOptions
{
    /// <summary>Snapshots older than this many days are deleted by the cleanup job; 0 keeps them whatever their age.</summary>
    public int RetentionDays { get; set; } = 30;

    /// <summary>Only the newest this many snapshots of each target are kept; 0 keeps any number.</summary>
    public int Keep { get; set; } = 20;

    /// <summary>How often the cleanup job looks for snapshots past retention.</summary>
    public int CleanupIntervalMinutes { get; set; } = 60;

    internal IEnumerable<string> Validate(string prefix)
    {
        if (RetentionDays < 0)
        {
            yield return $"{prefix}:RetentionDays must be 0 (keep regardless of age) or a positive number of days (was {RetentionDays}).";
        }

        if (Keep < 0)
        {
            yield return $"{prefix}:Keep must be 0 (keep any number) or a positive count (was {Keep}).";
        }

        if (CleanupIntervalMinutes <= 0)
        {
            yield return $"{prefix}:CleanupIntervalMinutes must be a positive number (was {CleanupIntervalMinutes}).";
        }
    }

    /// <summary>The snapshots (newest first, as listed) that retention removes: past the newest <see cref="Keep"/>, or older than <see cref="RetentionDays"/>.</summary>
    internal IEnumerable<DataSnapshot> Expired(IReadOnlyList<DataSnapshot> newestFirst, DateTimeOffset now) =>
        newestFirst.Where((s, i) => (Keep > 0 && i >= Keep) || (RetentionDays > 0 && s.CreatedAt < now.AddDays(-RetentionDays)));
}

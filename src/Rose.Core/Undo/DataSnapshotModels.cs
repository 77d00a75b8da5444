namespace Rose.Core.Undo;

/// <summary>
/// A data snapshot of a target: a pg_dump custom-format file (schema and data) with the per-table
/// checksums read in the same database snapshot as the dump, so a restore can be proven equal.
/// </summary>
public sealed record DataSnapshot(
    string Database,
    string Name,
    long Bytes,
    DateTimeOffset CreatedAt,
    string ServerVersion,
    string DumpVersion,
    IReadOnlyList<TableChecksum> Tables,
    long AuditId,
    IReadOnlyList<string>? ChosenTables = null)
{
    public long Rows => Tables.Sum(t => t.Rows);

    /// <summary>True when the snapshot holds only the tables a caller chose (null <see cref="ChosenTables"/>: the whole database).</summary>
    public bool IsPartial => ChosenTables is { Count: > 0 };

    /// <summary>What the snapshot holds, in words: "whole database" or the chosen tables.</summary>
    public string Contents => IsPartial ? string.Join(", ", ChosenTables!) : "whole database";
}

/// <summary>A snapshot restored into a new database, and whether that database equals the snapshot table by table.</summary>
public sealed record DataSnapshotRestore(
    string Database,
    string Snapshot,
    string RestoredDatabase,
    int Tables,
    long Rows,
    IReadOnlyList<ChecksumMismatch> Mismatches,
    long AuditId)
{
    public bool Verified => Mismatches.Count == 0;
}

/// <summary>The request could not be carried out as asked: unknown target or snapshot, bad name, missing tools, no disk. The message says what to fix.</summary>
public sealed class DataSnapshotException(string message) : Exception(message);

/// <summary>The caller's policy does not let them read (snapshot) or restore this target; the reasons say why.</summary>
public sealed class DataSnapshotDeniedException(IReadOnlyList<string> reasons)
    : Exception("Denied: " + string.Join("; ", reasons))
{
    public IReadOnlyList<string> Reasons { get; } = reasons;
}

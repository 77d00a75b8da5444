namespace Rose.Core.Migrations;

/// <summary>Where one migration stands on a target.</summary>
public enum MigrationState
{
    Applied,
    Pending,

    /// <summary>The last attempt recorded a failure (only a migration that could not run in a transaction can leave one).</summary>
    Failed,

    /// <summary>Applied on the target, but no file for it was given.</summary>
    Missing,

    /// <summary>Applied, but the file's checksum differs from the one recorded: someone edited an applied migration.</summary>
    Drift,

    /// <summary>Not applied, and older than the newest applied version: Rose does not apply out of order.</summary>
    OutOfOrder,
}

/// <summary>One line of a status report.</summary>
public sealed record MigrationStatusEntry(
    MigrationType Type,
    string? Version,
    string Description,
    string? FileName,
    MigrationState State,
    DateTimeOffset? InstalledOn = null,
    string? InstalledBy = null,
    int? ExecutionMs = null,
    string? AppliedChecksum = null,
    string? FileChecksum = null,
    bool HasUndo = false);

/// <summary>Every migration of a target and its state, versioned first in version order.</summary>
public sealed record MigrationStatusReport(string Database, IReadOnlyList<MigrationStatusEntry> Entries)
{
    public string? CurrentVersion => Entries.LastOrDefault(e => e.Type == MigrationType.Versioned && e.State is MigrationState.Applied or MigrationState.Drift or MigrationState.Missing)?.Version;

    public IEnumerable<MigrationStatusEntry> Pending => Entries.Where(e => e.State == MigrationState.Pending);

    /// <summary>States that stop an apply until a person fixes them.</summary>
    public IReadOnlyList<string> Blockers => [.. Entries
        .Where(e => e.State is MigrationState.Drift or MigrationState.Failed or MigrationState.OutOfOrder)
        .Select(e => e.State switch
        {
            MigrationState.Drift => $"{e.FileName}: checksum drift: the file was changed after it was applied (applied {Short(e.AppliedChecksum)}, file {Short(e.FileChecksum)}).",
            MigrationState.Failed => $"{e.FileName ?? e.Version}: a previous attempt failed part-way; repair the target and the history row before applying more.",
            _ => $"{e.FileName}: version {e.Version} is older than the applied version {CurrentVersion}; Rose does not apply out of order.",
        })];

    /// <summary>Everything verify reports: the blockers plus applied versions without a file.</summary>
    public IReadOnlyList<string> Problems => [.. Blockers, .. Entries
        .Where(e => e.State == MigrationState.Missing)
        .Select(e => $"version {e.Version} ({e.Description}) is applied on the target but no file for it was found.")];

    private static string Short(string? checksum) => checksum is null ? "none" : checksum[..Math.Min(12, checksum.Length)];
}

/// <summary>Compares the scripts with the target's history. Pure: no I/O.</summary>
public static class MigrationStatusCalculator
{
    public static MigrationStatusReport Compute(string database, MigrationSet set, IReadOnlyList<HistoryRow> history)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(history);
        var versionedRows = history.Where(h => h.Type == "SQL" && h.Version is not null).ToList();
        var applied = new Dictionary<MigrationVersion, HistoryRow>();
        var failed = new Dictionary<MigrationVersion, HistoryRow>();
        foreach (var row in versionedRows)
        {
            if (!MigrationVersion.TryParse(row.Version, out var v))
            {
                continue;
            }

            // Later rows win: a success after a repaired failure clears it.
            if (row.Success)
            {
                applied[v] = row;
                failed.Remove(v);
            }
            else if (!applied.ContainsKey(v))
            {
                failed[v] = row;
            }
        }

        var newest = applied.Keys.DefaultIfEmpty().Max();
        var entries = new List<MigrationStatusEntry>();
        var seen = new HashSet<MigrationVersion>();
        foreach (var script in set.Versioned)
        {
            var v = script.Version!;
            seen.Add(v);
            var hasUndo = set.UndoFor(v) is not null;
            if (applied.TryGetValue(v, out var row))
            {
                var state = string.Equals(row.Checksum, script.Checksum, StringComparison.Ordinal) ? MigrationState.Applied : MigrationState.Drift;
                entries.Add(new(script.Type, v.Text, script.Description, script.FileName, state, row.InstalledOn, row.InstalledBy, row.ExecutionTime, row.Checksum, script.Checksum, hasUndo));
            }
            else if (failed.TryGetValue(v, out var failure))
            {
                entries.Add(new(script.Type, v.Text, script.Description, script.FileName, MigrationState.Failed, failure.InstalledOn, failure.InstalledBy, failure.ExecutionTime, failure.Checksum, script.Checksum, hasUndo));
            }
            else
            {
                var state = newest is not null && v < newest ? MigrationState.OutOfOrder : MigrationState.Pending;
                entries.Add(new(script.Type, v.Text, script.Description, script.FileName, state, FileChecksum: script.Checksum, HasUndo: hasUndo));
            }
        }

        foreach (var (v, row) in applied.Where(a => !seen.Contains(a.Key)))
        {
            entries.Add(new(MigrationType.Versioned, v.Text, row.Description, row.Script, MigrationState.Missing, row.InstalledOn, row.InstalledBy, row.ExecutionTime, row.Checksum));
        }

        foreach (var (v, row) in failed.Where(f => !seen.Contains(f.Key)))
        {
            entries.Add(new(MigrationType.Versioned, v.Text, row.Description, row.Script, MigrationState.Failed, row.InstalledOn, row.InstalledBy, row.ExecutionTime, row.Checksum));
        }

        entries.Sort((a, b) => MigrationVersion.Parse(a.Version!).CompareTo(MigrationVersion.Parse(b.Version!)));

        foreach (var script in set.Repeatables)
        {
            var last = history.LastOrDefault(h => h.Version is null && h.Type == "SQL" && h.Success && h.Description == script.Description);
            var state = last is not null && last.Checksum == script.Checksum ? MigrationState.Applied : MigrationState.Pending;
            entries.Add(new(script.Type, null, script.Description, script.FileName, state, last?.InstalledOn, last?.InstalledBy, last?.ExecutionTime, last?.Checksum, script.Checksum));
        }

        return new MigrationStatusReport(database, entries);
    }
}

namespace Rose.Core.Migrations;

/// <summary>The scripts of one target, validated: no duplicate versions, every name well formed.</summary>
public sealed class MigrationSet
{
    private MigrationSet(IReadOnlyList<MigrationScript> scripts) => Scripts = scripts;

    public IReadOnlyList<MigrationScript> Scripts { get; }

    public IEnumerable<MigrationScript> Versioned =>
        Scripts.Where(s => s.Type == MigrationType.Versioned).OrderBy(s => s.Version);

    public IEnumerable<MigrationScript> Repeatables =>
        Scripts.Where(s => s.Type == MigrationType.Repeatable).OrderBy(s => s.Description, StringComparer.Ordinal);

    public MigrationScript? UndoFor(MigrationVersion version) =>
        Scripts.FirstOrDefault(s => s.Type == MigrationType.Undo && s.Version == version);

    public static MigrationSet Empty { get; } = new([]);

    /// <summary>Builds a set from (file name, text) pairs; throws <see cref="MigrationException"/> naming every bad file.</summary>
    public static MigrationSet From(IEnumerable<(string Name, string Sql)> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var scripts = new List<MigrationScript>();
        var errors = new List<string>();
        foreach (var (name, sql) in files)
        {
            if (MigrationNaming.TryCreate(name, sql, out var script, out var error))
            {
                scripts.Add(script);
            }
            else
            {
                errors.Add(error!);
            }
        }

        foreach (var group in scripts.Where(s => s.Version is not null).GroupBy(s => (s.Type, s.Version)).Where(g => g.Count() > 1))
        {
            errors.Add($"version {group.Key.Version} has more than one {group.Key.Type.ToString().ToLowerInvariant()} file: {string.Join(", ", group.Select(s => s.FileName))}.");
        }

        foreach (var group in scripts.Where(s => s.Type == MigrationType.Repeatable).GroupBy(s => s.Description).Where(g => g.Count() > 1))
        {
            errors.Add($"repeatable '{group.Key}' has more than one file: {string.Join(", ", group.Select(s => s.FileName))}.");
        }

        if (errors.Count > 0)
        {
            throw new MigrationException(string.Join(" ", errors));
        }

        return new MigrationSet(scripts);
    }

    /// <summary>Reads every *.sql file of a folder (not recursive; other files are ignored).</summary>
    public static async Task<MigrationSet> FromFolderAsync(string folder, CancellationToken ct)
    {
        if (!Directory.Exists(folder))
        {
            throw new MigrationException($"The migrations folder '{folder}' does not exist.");
        }

        var files = new List<(string, string)>();
        foreach (var path in Directory.GetFiles(folder, "*.sql").OrderBy(p => p, StringComparer.Ordinal))
        {
            files.Add((Path.GetFileName(path), await File.ReadAllTextAsync(path, ct)));
        }

        return From(files);
    }
}

/// <summary>A migration request that cannot be carried out as asked; the message says why.</summary>
public sealed class MigrationException(string message) : Exception(message);

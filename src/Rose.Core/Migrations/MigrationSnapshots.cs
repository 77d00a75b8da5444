using Npgsql;

namespace Rose.Core.Migrations;

/// <summary>A schema snapshot file of a target.</summary>
public sealed record MigrationSnapshot(string Database, string Name, string Path, long Bytes, DateTimeOffset CreatedAt);

/// <summary>
/// pg_dump --schema-only of a target to Rose:DataDir/snapshots/&lt;target&gt;/&lt;timestamp&gt;.sql before an apply
/// (read-only by nature: pg_dump only reads the catalog). A pg_dump older than the target server is
/// refused up front with both versions, because pg_dump cannot dump a newer server.
/// </summary>
public sealed class MigrationSnapshots
{
    private readonly IOptions<RoseOptions> options;
    private readonly SqlExecutor executor;

    /// <summary>Internal: it takes Execution's internal parts; hosts get the service from DI.</summary>
    internal MigrationSnapshots(IOptions<RoseOptions> options, SqlExecutor executor)
    {
        this.options = options;
        this.executor = executor;
    }

    public string Folder(string database) =>
        System.IO.Path.Combine(options.Value.DataDir, "snapshots", Sanitise(database));

    public IReadOnlyList<MigrationSnapshot> List(string database)
    {
        var folder = Folder(database);
        if (!Directory.Exists(folder))
        {
            return [];
        }

        return [.. new DirectoryInfo(folder).GetFiles("*.sql")
            .OrderByDescending(f => f.Name, StringComparer.Ordinal)
            .Select(f => new MigrationSnapshot(database, f.Name, f.FullName, f.Length, new DateTimeOffset(f.LastWriteTimeUtc, TimeSpan.Zero)))];
    }

    /// <summary>The snapshot's text, by file name only (no path traversal).</summary>
    public async Task<string?> ReadAsync(string database, string name, CancellationToken ct)
    {
        var snapshot = List(database).FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.Ordinal));
        return snapshot is null ? null : await File.ReadAllTextAsync(snapshot.Path, ct);
    }

    public async Task<MigrationSnapshot> TakeAsync(RegisteredTarget target, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(target);
        var folder = Folder(target.Definition.Name);
        Directory.CreateDirectory(folder);
        var name = DateTimeOffset.UtcNow.ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture) + ".sql";
        var path = System.IO.Path.Combine(folder, name);
        var cs = new NpgsqlConnectionStringBuilder(target.Definition.ConnectionString);
        var program = PgClientTools.Resolve("pg_dump", options.Value.Migrations.PgDumpPath);
        int exit;
        string error;
        try
        {
            await CheckVersionAsync(program, target, ct);
            (exit, error) = await PgClientTools.RunAsync(program, ["--schema-only", "--no-owner", "--no-privileges", "--file", path], cs, ct);
        }
        catch (Exception ex) when (ex is MigrationException or TargetToolException)
        {
            // A missing or unrunnable pg_dump is a failed snapshot like any other.
            throw new MigrationException("The snapshot before apply failed: " + ex.Message);
        }

        if (exit != 0)
        {
            File.Delete(path);
            throw new MigrationException($"The snapshot before apply failed (pg_dump exit {exit}): {error}");
        }

        var info = new FileInfo(path);
        return new MigrationSnapshot(target.Definition.Name, name, path, info.Length, DateTimeOffset.UtcNow);
    }

    /// <summary>pg_dump refuses a server of a newer major version; say so before anything runs, with both versions and the key to change.</summary>
    private async Task CheckVersionAsync(string program, RegisteredTarget target, CancellationToken ct)
    {
        var (dumpVersion, dumpMajor) = await PgClientTools.VersionAsync(program, ct);
        var rows = await executor.ReadCatalogAsync(target, "SELECT current_setting('server_version'), current_setting('server_version_num')::int", [], ct);
        var serverVersion = (string)rows[0][0]!;
        var serverMajor = (int)rows[0][1]! / 10000;
        if (dumpMajor < serverMajor)
        {
            throw new MigrationException(
                $"pg_dump {dumpVersion} ({program}) is older than the target server, PostgreSQL {serverVersion}, and cannot dump it. "
                + $"Set Rose:Migrations:PgDumpPath to pg_dump {serverMajor} or newer. Nothing was applied.");
        }
    }

    private static string Sanitise(string name) =>
        new([.. name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_')]);
}

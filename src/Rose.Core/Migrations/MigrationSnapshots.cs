using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;
using Npgsql;
using Rose.Core.Configuration;
using Rose.Core.Targets;

namespace Rose.Core.Migrations;

/// <summary>A schema snapshot file of a target.</summary>
public sealed record MigrationSnapshot(string Database, string Name, string Path, long Bytes, DateTimeOffset CreatedAt);

/// <summary>
/// pg_dump --schema-only of a target to Rose:DataDir/snapshots/&lt;target&gt;/&lt;timestamp&gt;.sql before an apply.
/// This is the one path to a target that does not go through the executor: pg_dump is a separate
/// process that needs its own connection (read-only by nature: it only reads the catalog). Its
/// password travels in PGPASSWORD, never on the command line.
/// </summary>
public sealed class MigrationSnapshots(IOptions<RoseOptions> options)
{
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

        var pgDump = ResolvePgDump();
        var psi = new ProcessStartInfo(pgDump)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--schema-only", "--no-owner", "--no-privileges", "--file", path, "--dbname", ConnInfo(cs) })
        {
            psi.ArgumentList.Add(arg);
        }

        if (!string.IsNullOrEmpty(cs.Password))
        {
            psi.Environment["PGPASSWORD"] = cs.Password;
        }

        psi.Environment["PGCONNECT_TIMEOUT"] = "10";
        using var process = Start(psi, pgDump);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        _ = process.StandardOutput.ReadToEndAsync(ct);
        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        if (process.ExitCode != 0)
        {
            File.Delete(path);
            throw new MigrationException($"The snapshot before apply failed (pg_dump exit {process.ExitCode}): {(await stderr).Trim()}");
        }

        var info = new FileInfo(path);
        return new MigrationSnapshot(target.Definition.Name, name, path, info.Length, DateTimeOffset.UtcNow);
    }

    /// <summary>A missing or unrunnable pg_dump is a failed snapshot like any other, with the path that was tried.</summary>
    private static Process Start(ProcessStartInfo psi, string pgDump)
    {
        try
        {
            return Process.Start(psi) ?? throw new MigrationException($"The snapshot before apply failed: pg_dump ({pgDump}) could not be started.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new MigrationException($"The snapshot before apply failed: pg_dump ({pgDump}) could not be started: {ex.Message} (Rose:Migrations:PgDumpPath).");
        }
    }

    private string ResolvePgDump()
    {
        if (!string.IsNullOrWhiteSpace(options.Value.Migrations.PgDumpPath))
        {
            var configured = options.Value.Migrations.PgDumpPath;
            return Directory.Exists(configured) ? System.IO.Path.Combine(configured, "pg_dump") : configured;
        }

        // Prefer the newest server folder: pg_dump refuses servers newer than itself.
        const string root = "/usr/lib/postgresql";
        if (Directory.Exists(root))
        {
            var best = Directory.GetDirectories(root)
                .Select(d => (Path: System.IO.Path.Combine(d, "bin", "pg_dump"), Version: double.TryParse(System.IO.Path.GetFileName(d), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : 0))
                .Where(x => File.Exists(x.Path))
                .OrderByDescending(x => x.Version)
                .FirstOrDefault();
            if (best.Path is not null)
            {
                return best.Path;
            }
        }

        return "pg_dump";
    }

    /// <summary>libpq key=value connection info; values quoted so spaces and quotes survive.</summary>
    private static string ConnInfo(NpgsqlConnectionStringBuilder cs)
    {
        var sb = new StringBuilder();
        void Add(string key, object? value)
        {
            var text = Convert.ToString(value, CultureInfo.InvariantCulture);
            if (!string.IsNullOrEmpty(text))
            {
                sb.Append(key).Append("='").Append(text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal)).Append("' ");
            }
        }

        Add("host", cs.Host);
        Add("port", cs.Port);
        Add("dbname", cs.Database);
        Add("user", cs.Username);
        Add("sslmode", cs.SslMode switch { SslMode.Disable => "disable", SslMode.Require => "require", SslMode.VerifyCA => "verify-ca", SslMode.VerifyFull => "verify-full", _ => "prefer" });
        return sb.ToString().TrimEnd();
    }

    private static string Sanitise(string name) =>
        new([.. name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_')]);
}

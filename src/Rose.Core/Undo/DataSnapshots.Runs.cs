using Npgsql;

namespace Rose.Core.Undo;

/// <summary>The two runs themselves, each inside its audited run: the dump with its checksums, and the restore with its verification.</summary>
public sealed partial class DataSnapshots
{
    private ExecutionLimits Limits(RegisteredTarget target) =>
        new(0, TimeSpan.FromSeconds(options.Value.Migrations.StatementTimeoutSeconds), target.Definition.LockTimeout);

    private async Task<DataSnapshot> DumpAsync(RegisteredTarget target, string name, string program, IReadOnlyList<string>? chosen, DataSnapshotJobs.Job job,
        long auditId, CancellationToken ct)
    {
        var database = target.Definition.Name;
        var (dumpVersion, dumpMajor) = await ToolAsync(() => PgClientTools.VersionAsync(program, ct));
        CreateFolder(database);
        try
        {
            await using var session = await executor.OpenSessionAsync(target, Limits(target), ct);
            await session.BeginAsync(ct);
            try
            {
                // One database snapshot for the checksums and for pg_dump (--snapshot imports it), so both describe the same rows.
                await session.QueryAsync("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", [], ct);
                var server = (await session.QueryAsync("SELECT current_setting('server_version'), current_setting('server_version_num')::int, pg_export_snapshot()", [], ct))[0];
                var serverVersion = (string)server[0]!;
                if (dumpMajor < (int)server[1]! / 10000)
                {
                    throw new DataSnapshotException($"pg_dump {dumpVersion} ({program}) is older than the target server, PostgreSQL {serverVersion}, and cannot dump it. "
                        + $"Set Rose:Migrations:PgDumpPath to pg_dump {(int)server[1]! / 10000} or newer.");
                }

                IReadOnlyList<(string Schema, string Table)>? only = null;
                IReadOnlyList<string>? chosenNames = null;
                if (chosen is not null)
                {
                    (only, chosenNames) = await SnapshotTables.ResolveAsync(session, chosen, ct);
                }

                var tables = await TableChecksums.ReadAsync(session, only, ct);
                job.Expect(tables.Count);
                var path = files.DumpPath(database, name);
                var (exit, error) = await ToolAsync(() => PgClientTools.RunAsync(program,
                    [.. DumpArguments((string)server[2]!, path, only), "--verbose"], new NpgsqlConnectionStringBuilder(target.Definition.ConnectionString), ct,
                    progress: job.Observe));
                if (exit != 0)
                {
                    throw new DataSnapshotException(OutOfSpace(error)
                        ? $"The snapshot folder {files.Folder(database)} ran out of disk space (pg_dump: {error}). Free space there or point Rose:DataDir at a larger disk."
                        : $"pg_dump failed (exit {exit}): {error}");
                }

                var snapshot = new DataSnapshot(database, name, new FileInfo(path).Length, DateTimeOffset.UtcNow, serverVersion, dumpVersion, tables, auditId,
                    chosenNames);
                await files.WriteManifestAsync(snapshot, ct);
                return snapshot;
            }
            finally
            {
                await session.RollbackAsync();
            }
        }
        catch (Exception ex)
        {
            files.Discard(database, name);
            throw ex switch
            {
                IOException io when OutOfSpace(io.Message) => new DataSnapshotException(
                    $"The snapshot folder {files.Folder(database)} ran out of disk space. Free space there or point Rose:DataDir at a larger disk."),
                IOException or UnauthorizedAccessException => new DataSnapshotException($"The snapshot could not be written under {files.Folder(database)} ({ex.Message}); check Rose:DataDir."),
                PostgresException pg => new DataSnapshotException($"Reading the target for the snapshot failed: {pg.MessageText} (SQLSTATE {pg.SqlState})."),
                _ => ex,
            };
        }
    }

    /// <summary>
    /// pg_dump's arguments: the whole database without Rose's prior backups, or exactly the chosen tables
    /// (--strict-names: a table gone since it was resolved fails the dump instead of leaving it out).
    /// </summary>
    private static IEnumerable<string> DumpArguments(string databaseSnapshot, string path, IReadOnlyList<(string Schema, string Table)>? only)
    {
        string[] common = ["--format=custom", "--no-owner", "--no-privileges", "--snapshot", databaseSnapshot, "--file", path];
        return only is null
            ? [.. common, "--exclude-schema", SnapshotTables.BackupSchema]
            : [.. common, "--strict-names", .. only.SelectMany(t => new[] { "--table", SnapshotTables.Qualified(t.Schema, t.Table) })];
    }

    private async Task<DataSnapshotRestore> RestoreIntoAsync(RegisteredTarget target, DataSnapshot snapshot, string name, DataSnapshotJobs.Job job, long auditId,
        CancellationToken ct)
    {
        job.Expect(snapshot.Tables.Count);
        var restored = await ToolAsync(() => RestoredDatabase.CreateAsync(target, name, ct));
        var keep = false;
        try
        {
            // A dump of chosen tables holds no CREATE SCHEMA: the new database gets their schemas first.
            if (snapshot.IsPartial)
            {
                await ToolAsync(() => restored.CreateSchemasAsync(snapshot.Tables.Select(t => t.Schema).Distinct(StringComparer.Ordinal), ct));
            }

            await ToolAsync(() => restored.RestoreAsync(files.DumpPath(target.Definition.Name, snapshot.Name), options.Value.Migrations.PgDumpPath, ct, job.Observe));
            IReadOnlyList<TableChecksum> actual;
            await using (var session = await executor.OpenSessionAsync(restored.Target, Limits(target), ct))
            {
                await session.BeginAsync(ct);
                await session.QueryAsync("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", [], ct);
                actual = await TableChecksums.ReadAsync(session, Scope(snapshot), ct);
                await session.RollbackAsync();
            }

            // Kept even when it differs: the caller is told so, and may look at it; the live database was never touched.
            keep = true;
            return new DataSnapshotRestore(target.Definition.Name, snapshot.Name, name, actual.Count, actual.Sum(t => t.Rows),
                TableChecksums.Compare(snapshot.Tables, actual), auditId);
        }
        catch (PostgresException pg)
        {
            throw new DataSnapshotException($"Verifying the restored database {name} failed: {pg.MessageText} (SQLSTATE {pg.SqlState}).");
        }
        finally
        {
            if (keep)
            {
                await restored.DisposeAsync();
            }
            else
            {
                await restored.DropAsync();
            }
        }
    }

    /// <summary>The tables a verification compares: those of a snapshot of chosen tables, or every table.</summary>
    private static IReadOnlyCollection<(string Schema, string Table)>? Scope(DataSnapshot snapshot) =>
        snapshot.IsPartial ? [.. snapshot.Tables.Select(t => (t.Schema, t.Table))] : null;

    private void CreateFolder(string database)
    {
        try
        {
            Directory.CreateDirectory(files.Folder(database));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DataSnapshotException($"The snapshot folder {files.Folder(database)} could not be created ({ex.Message}); check Rose:DataDir.");
        }
    }

    /// <summary>A client program or a database Rose creates failed: the tool layer's message, as this service's error.</summary>
    private static async Task<T> ToolAsync<T>(Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (TargetToolException ex)
        {
            throw new DataSnapshotException(ex.Message);
        }
    }

    private static async Task ToolAsync(Func<Task> action) => await ToolAsync(async () =>
    {
        await action();
        return true;
    });

    private static bool OutOfSpace(string message) =>
        message.Contains("No space left on device", StringComparison.OrdinalIgnoreCase) || message.Contains("disk full", StringComparison.OrdinalIgnoreCase);
}

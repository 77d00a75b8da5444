using Npgsql;

namespace Rose.Core.Execution;

/// <summary>
/// A NEW database on the target's server that a data snapshot is restored into (it is only made inside
/// a snapshot restore's audited run). It never touches an existing database: CREATE DATABASE fails when
/// the name is taken, and only a database this object created is dropped (when the restore into it
/// failed). A restored database that verified is kept: it is the result.
/// </summary>
internal sealed class RestoredDatabase : CreatedDatabase, IAsyncDisposable
{
    private RestoredDatabase(NpgsqlConnectionStringBuilder admin, string name, RegisteredTarget target)
        : base(admin, name, target)
    {
    }

    /// <summary>Creates the empty database; <paramref name="name"/> is already validated as a plain lower-case identifier.</summary>
    public static async Task<RestoredDatabase> CreateAsync(RegisteredTarget source, string name, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(source);
        var admin = AdminConnection(source.Definition.ConnectionString, "rose-console-restore");
        try
        {
            // TEMPLATE template0: a restore must start from an empty database, not from whatever template1 holds.
            await AdminAsync(admin, $"CREATE DATABASE \"{name}\" TEMPLATE template0", ct);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DuplicateDatabase)
        {
            throw new TargetToolException($"A database named {name} already exists on the target's server; a snapshot is only restored into a new database. Choose another name.");
        }
        catch (PostgresException ex)
        {
            throw new TargetToolException($"The database {name} for the restore could not be created ({ex.MessageText}). Give the target's role CREATEDB.");
        }

        return new RestoredDatabase(admin, name, TargetFor(source, admin, name, name));
    }

    /// <summary>Creates the schemas a dump of chosen tables needs (it holds their tables, not their schemas); names come from the snapshot's catalog read.</summary>
    public async Task CreateSchemasAsync(IEnumerable<string> schemas, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(schemas);
        try
        {
            await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Admin.ConnectionString) { Database = Name }.ConnectionString);
            await conn.OpenAsync(ct);
            foreach (var schema in schemas)
            {
                await using var cmd = new NpgsqlCommand($"CREATE SCHEMA IF NOT EXISTS \"{schema.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", conn);
                await cmd.ExecuteNonQueryAsync(ct);
            }
        }
        catch (PostgresException ex)
        {
            throw new TargetToolException($"The schemas of the snapshot's tables could not be created in {Name} ({ex.MessageText}).");
        }
    }

    /// <summary>pg_restore of a custom-format dump, in one transaction, stopping at the first error.</summary>
    /// <param name="progress">pg_restore's --verbose lines as they come.</param>
    public async Task RestoreAsync(string dumpFile, string? pgDumpPath, CancellationToken ct, Action<string>? progress = null)
    {
        string[] options = ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"];
        var (exit, error) = await PgRestoreAsync(dumpFile, pgDumpPath, progress is null ? options : [.. options, "--verbose"], ct, progress);
        if (exit != 0)
        {
            throw new TargetToolException($"pg_restore into {Name} failed (exit {exit}): {error}");
        }
    }

    /// <summary>Drops the database this object created (a restore that failed leaves nothing behind).</summary>
    public Task DropAsync() => DropDatabaseAsync();

    public ValueTask DisposeAsync() => Target.DisposeAsync();
}

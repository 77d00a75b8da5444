using Npgsql;

namespace Rose.Core.Execution;

/// <summary>
/// A throwaway database for the reversibility check (it is only made inside the check's audited run), on the target's server (or
/// Rose:Migrations:ScratchConnectionString): created empty or as a schema-only copy of the target,
/// dropped with its connections when disposed. Names carry their creation time
/// (rose_scratch_yyyyMMddHHmmss_xxxxxxxx) so a copy left behind by a crashed process is swept by a
/// later check instead of lingering.
/// </summary>
internal sealed class ScratchDatabase : CreatedDatabase, IAsyncDisposable
{
    private const string Prefix = "rose_scratch_";
    private static readonly TimeSpan StaleAfter = TimeSpan.FromHours(12);

    private ScratchDatabase(NpgsqlConnectionStringBuilder admin, string name, RegisteredTarget target)
        : base(admin, name, target)
    {
    }

    public static async Task<ScratchDatabase> CreateAsync(RegisteredTarget source, MigrationOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        var admin = AdminConnection(string.IsNullOrWhiteSpace(options.ScratchConnectionString)
            ? source.Definition.ConnectionString
            : options.ScratchConnectionString, "rose-console-scratch");
        var name = Prefix + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "_"
            + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4));
        await SweepStaleAsync(admin, ct);
        try
        {
            // The name is Rose's own (prefix, digits, hex), so quoting it is all the care it needs.
            await AdminAsync(admin, $"CREATE DATABASE \"{name}\"", ct);
        }
        catch (PostgresException ex)
        {
            throw new TargetToolException($"The reversibility check could not create its scratch database ({ex.MessageText}). "
                + "Give the target's role CREATEDB, or set Rose:Migrations:ScratchConnectionString to a server where Rose may create databases.");
        }

        return new ScratchDatabase(admin, name, TargetFor(source, admin, name, "scratch"));
    }

    /// <summary>
    /// Copies the source's schema (no data) with pg_dump --format=custom and pg_restore. The custom
    /// format is restored by pg_restore's own connection, so no dump text is ever parsed here.
    /// </summary>
    public async Task CopySchemaAsync(RegisteredTarget source, string? pgDumpPath, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(source);
        var file = Path.Combine(Path.GetTempPath(), Name + ".dump");
        try
        {
            var (dumpExit, dumpError) = await PgClientTools.RunAsync(PgClientTools.Resolve("pg_dump", pgDumpPath),
                ["--schema-only", "--no-owner", "--no-privileges", "--format=custom", "--file", file],
                new NpgsqlConnectionStringBuilder(source.Definition.ConnectionString), ct);
            if (dumpExit != 0)
            {
                throw new TargetToolException($"Copying the target's schema failed (pg_dump exit {dumpExit}): {dumpError}");
            }

            await RestoreFileAsync(file, pgDumpPath, ct);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>pg_restore of a custom-format schema dump (a copy of the target, or its drift baseline) into the scratch database.</summary>
    public async Task RestoreFileAsync(string file, string? pgDumpPath, CancellationToken ct)
    {
        var (restoreExit, restoreError) = await PgRestoreAsync(file, pgDumpPath, ["--no-owner", "--no-privileges", "--exit-on-error"], ct);
        if (restoreExit != 0)
        {
            throw new TargetToolException($"Restoring a schema into the scratch database failed (pg_restore exit {restoreExit}): {restoreError}");
        }
    }

    public async ValueTask DisposeAsync() => await DropDatabaseAsync();

    private static async Task SweepStaleAsync(NpgsqlConnectionStringBuilder admin, CancellationToken ct)
    {
        List<string> stale = [];
        try
        {
            await using var conn = new NpgsqlConnection(admin.ConnectionString);
            await conn.OpenAsync(ct);
            await using var cmd = new NpgsqlCommand("SELECT datname FROM pg_database WHERE datname LIKE 'rose\\_scratch\\_%'", conn);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var name = reader.GetString(0);
                if (name.Length > Prefix.Length + 14
                    && DateTime.TryParseExact(name.AsSpan(Prefix.Length, 14), "yyyyMMddHHmmss", CultureInfo.InvariantCulture,
                        DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var made)
                    && DateTime.UtcNow - made > StaleAfter
                    && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'))
                {
                    stale.Add(name);
                }
            }
        }
        catch (NpgsqlException)
        {
            return;
        }

        foreach (var name in stale)
        {
            try
            {
                await AdminAsync(admin, $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", ct);
            }
            catch (NpgsqlException)
            {
                // Another check swept it first, or this role may not drop it: not this check's problem.
            }
        }
    }
}

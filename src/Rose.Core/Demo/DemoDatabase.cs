using System.Reflection;
using System.Security.Cryptography;
using Npgsql;

namespace Rose.Core.Demo;

/// <summary>
/// Creates the demo target database (a small shop with deliberate integrity problems, from the embedded
/// Demo/Seed/*.sql scripts) once, and the least-privileged roles Rose uses to reach it.
/// </summary>
public sealed class DemoDatabase(ILogger<DemoDatabase> logger)
{
    /// <summary>Written as the database comment in the seeding transaction: present = fully loaded.</summary>
    public const string SeedMarker = "rose-demo-seed:v1";

    private const string ResourcePrefix = "Rose.Core.Demo.Seed.";

    /// <summary>
    /// Makes sure <paramref name="demoDatabaseName"/> exists and holds the sample data, and that its roles
    /// rose_&lt;name&gt;_rw and rose_&lt;name&gt;_ro exist with current grants. Idempotent and safe to race.
    /// </summary>
    /// <param name="adminConnectionString">A superuser connection (any database; the postgres database is used for admin work).</param>
    public async Task<DemoDatabaseInfo> EnsureAsync(string adminConnectionString, string demoDatabaseName, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(adminConnectionString);
        if (!PgIdentifiers.IsSimpleName(demoDatabaseName) || demoDatabaseName.Length > 50)
        {
            // Role names are derived from it and must stay within 63 bytes and free of quoting surprises.
            throw new ArgumentException(
                $"The demo database name '{demoDatabaseName}' must be 1-50 lower-case letters, digits or underscores.", nameof(demoDatabaseName));
        }
        var adminPostgres = PgAdmin.WithDatabase(adminConnectionString, "postgres");
        var adminDemo = PgAdmin.WithDatabase(adminConnectionString, demoDatabaseName);

        // Serialise concurrent starts on this demo database; the lock lives on the postgres database
        // because the demo database may not exist yet.
        await using var lockConn = await PgAdmin.OpenUnpooledAsync(adminPostgres, ct);
        var lockKey = LockKey(demoDatabaseName);
        await ExecuteAsync(lockConn, $"SELECT pg_advisory_lock({lockKey})", ct);
        try
        {
            if (await PgAdmin.CreateDatabaseIfMissingAsync(adminPostgres, demoDatabaseName, ct))
            {
                logger.LogInformation("Created demo database {Database}", demoDatabaseName);
            }
            await SeedOnceAsync(adminDemo, demoDatabaseName, ct);
            var roles = DemoRoles.For(demoDatabaseName, adminConnectionString);
            await roles.EnsureAsync(adminPostgres, adminDemo, ct);
            return new DemoDatabaseInfo(
                roles.ConnectionString(adminConnectionString, demoDatabaseName, readOnly: false),
                roles.ConnectionString(adminConnectionString, demoDatabaseName, readOnly: true));
        }
        finally
        {
            await ExecuteAsync(lockConn, $"SELECT pg_advisory_unlock({lockKey})", CancellationToken.None);
        }
    }

    /// <summary>Drops a demo database and its two roles (roles are cluster-wide and would outlive the database).</summary>
    public async Task DropAsync(string adminConnectionString, string demoDatabaseName, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(adminConnectionString);
        var adminPostgres = PgAdmin.WithDatabase(adminConnectionString, "postgres");
        await PgAdmin.DropDatabaseIfExistsAsync(adminPostgres, demoDatabaseName, ct);
        var roles = DemoRoles.For(demoDatabaseName, adminConnectionString);
        await using var conn = await PgAdmin.OpenUnpooledAsync(adminPostgres, ct);
        foreach (var role in new[] { roles.ReadWrite, roles.ReadOnly })
        {
            await ExecuteAsync(conn, $"DROP ROLE IF EXISTS {PgIdentifiers.QuoteIdentifier(role)}", ct);
        }
        logger.LogInformation("Dropped demo database {Database} and its roles", demoDatabaseName);
    }

    private async Task SeedOnceAsync(string adminDemo, string database, CancellationToken ct)
    {
        await using var conn = await PgAdmin.OpenUnpooledAsync(adminDemo, ct);
        await using (var marker = new NpgsqlCommand(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = current_database()", conn))
        {
            if (await marker.ExecuteScalarAsync(ct) is string comment && comment.Contains(SeedMarker, StringComparison.Ordinal))
            {
                logger.LogDebug("Demo database {Database} is already loaded", database);
                return;
            }
        }

        // One transaction for every script and the marker: a crash mid-load leaves an empty database that
        // the next start loads again, never a half-loaded one that looks complete.
        await using var tx = await conn.BeginTransactionAsync(ct);
        foreach (var (name, sql) in LoadScripts())
        {
            try
            {
                await SqlScript.ExecuteAsync(conn, tx, sql, ct, commandTimeoutSeconds: 300);
            }
            catch (PostgresException ex)
            {
                throw new InvalidOperationException($"Demo script {name} failed: {ex.SqlState} {ex.MessageText}", ex);
            }
        }
        var seedComment = PgIdentifiers.QuoteLiteral($"Rose demo shop database ({SeedMarker}). Contains deliberate integrity problems for the validation dashboard.");
        await using (var mark = new NpgsqlCommand($"COMMENT ON DATABASE {PgIdentifiers.QuoteIdentifier(database)} IS {seedComment}", conn, tx))
        {
            await mark.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        logger.LogInformation("Loaded sample data into demo database {Database}", database);
    }

    /// <summary>The embedded Demo/Seed/*.sql scripts in file-name order.</summary>
    internal static IReadOnlyList<(string Name, string Sql)> LoadScripts()
    {
        var assembly = typeof(DemoDatabase).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n => (n[ResourcePrefix.Length..], Read(assembly, n)))
            .ToList();
    }

    private static string Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private static long LockKey(string database) =>
        BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes("rose-demo:" + database)), 0);

    private static async Task ExecuteAsync(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        await SqlScript.ExecuteAsync(conn, null, sql, ct);
    }
}

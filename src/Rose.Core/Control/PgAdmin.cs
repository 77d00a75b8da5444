using Npgsql;

namespace Rose.Core.Control;

/// <summary>Database-level administration over an admin connection (CREATE/DROP DATABASE cannot take parameters).</summary>
public static class PgAdmin
{
    private const string DuplicateDatabase = "42P04";
    private const string UniqueViolation = "23505";

    /// <summary>Creates <paramref name="name"/> unless it exists; safe when several callers race.</summary>
    /// <returns>True when this call created it.</returns>
    public static async Task<bool> CreateDatabaseIfMissingAsync(string adminConnectionString, string name, CancellationToken ct)
    {
        var quoted = PgIdentifiers.QuoteIdentifier(name);
        await using var conn = await OpenUnpooledAsync(adminConnectionString, ct);
        await using (var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", conn))
        {
            exists.Parameters.AddWithValue(name);
            if (await exists.ExecuteScalarAsync(ct) is not null)
            {
                return false;
            }
        }
        try
        {
            await using var create = new NpgsqlCommand($"CREATE DATABASE {quoted}", conn);
            await create.ExecuteNonQueryAsync(ct);
            return true;
        }
        catch (PostgresException ex) when (ex.SqlState is DuplicateDatabase or UniqueViolation)
        {
            // Another caller created it between the check and CREATE (the unique index on pg_database reports 23505).
            return false;
        }
    }

    /// <summary>Drops <paramref name="name"/> if it exists, ending its sessions first.</summary>
    public static async Task DropDatabaseIfExistsAsync(string adminConnectionString, string name, CancellationToken ct)
    {
        var quoted = PgIdentifiers.QuoteIdentifier(name);
        await using var conn = await OpenUnpooledAsync(adminConnectionString, ct);
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)", conn);
        await drop.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Admin work is rare and must not leave idle sessions behind that would block DROP DATABASE or a
    /// server stop, so it bypasses the pool.
    /// </summary>
    internal static async Task<NpgsqlConnection> OpenUnpooledAsync(string connectionString, CancellationToken ct)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false };
        var conn = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            await conn.OpenAsync(ct);
            return conn;
        }
        catch
        {
            await conn.DisposeAsync();
            throw;
        }
    }

    /// <summary>The same server and credentials as <paramref name="connectionString"/>, on another database.</summary>
    public static string WithDatabase(string connectionString, string database) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Database = database }.ConnectionString;
}

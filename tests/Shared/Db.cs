using Npgsql;

namespace Rose.Tests.Shared;

/// <summary>
/// Direct reads of the control and target databases, as an auditor with psql would check them: the one set of
/// these helpers for every test project (host tests, fault tests, the demo database's fixture).
/// </summary>
internal static class Db
{
    public static async Task ExecAsync(string connection, string sql)
    {
        await using var conn = new NpgsqlConnection(connection);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    public static async Task<T> ScalarAsync<T>(string connection, string sql)
    {
        await using var conn = new NpgsqlConnection(connection);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    public static async Task<List<string>> ColumnAsync(string connection, string sql)
    {
        await using var conn = new NpgsqlConnection(connection);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }

    /// <summary>Holds a lock on a table until disposed: EXCLUSIVE (reads go on, writes wait), or ACCESS EXCLUSIVE (reads wait too).</summary>
    public static async Task<IAsyncDisposable> HoldTableAsync(string connection, string table, string mode = "EXCLUSIVE")
    {
        var conn = new NpgsqlConnection(connection);
        await conn.OpenAsync();
        var tx = await conn.BeginTransactionAsync();
        await using (var cmd = new NpgsqlCommand($"LOCK TABLE {table} IN {mode} MODE", conn, tx))
        {
            await cmd.ExecuteNonQueryAsync();
        }

        return new Held(conn, tx);
    }

    private sealed class Held(NpgsqlConnection conn, NpgsqlTransaction tx) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await tx.RollbackAsync();
            await tx.DisposeAsync();
            await conn.DisposeAsync();
        }
    }

    /// <summary>Polls a query returning a count or a boolean until it is positive / true (30 s at most).</summary>
    public static async Task WaitUntilAsync(string connection, string sql)
    {
        for (var i = 0; i < 150; i++)
        {
            var value = await ScalarAsync<object>(connection, sql);
            if (value is true || value is long n && n > 0)
            {
                return;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException("never true: " + sql);
    }
}

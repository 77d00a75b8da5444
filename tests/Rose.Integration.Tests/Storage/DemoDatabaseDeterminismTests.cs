using Microsoft.Extensions.Logging.Abstractions;
using Rose.Core.Control;
using Rose.Core.Demo;

namespace Rose.Integration.Tests.Storage;

public sealed class DemoDatabaseDeterminismTests(PostgresServerFixture pg) : IClassFixture<PostgresServerFixture>
{
    private const string Fingerprint = """
        SELECT md5(concat_ws('|',
            (SELECT string_agg(id || email || coalesce(full_name, '~'), ',' ORDER BY id) FROM customers),
            (SELECT string_agg(id || ':' || customer_id || total_cents, ',' ORDER BY id) FROM orders),
            (SELECT string_agg(order_id || ':' || product_id || ':' || quantity, ',' ORDER BY id) FROM order_items),
            (SELECT count(*) FROM app_events)))
        """;

    [Fact]
    public async Task EnsureAsync_TwoDatabases_LoadIdenticalData()
    {
        var first = pg.ReserveDatabaseName("demo_a");
        var second = pg.ReserveDatabaseName("demo_b");
        var demo = new DemoDatabase(NullLogger<DemoDatabase>.Instance);

        try
        {
            // Concurrent loads also exercise two EnsureAsync calls running side by side on one server.
            await Task.WhenAll(
                demo.EnsureAsync(pg.AdminConnectionString, first, CancellationToken.None),
                demo.EnsureAsync(pg.AdminConnectionString, second, CancellationToken.None));

            var a = await ScalarAsync(PgAdmin.WithDatabase(pg.AdminConnectionString, first), Fingerprint);
            var b = await ScalarAsync(PgAdmin.WithDatabase(pg.AdminConnectionString, second), Fingerprint);
            Assert.NotNull(a);
            Assert.Equal(a, b);
        }
        finally
        {
            await demo.DropAsync(pg.AdminConnectionString, first, CancellationToken.None);
            await demo.DropAsync(pg.AdminConnectionString, second, CancellationToken.None);
        }
    }

    [Fact]
    public async Task DropAsync_DemoDatabase_RemovesDatabaseAndRoles()
    {
        var name = pg.ReserveDatabaseName("demo_drop");
        var demo = new DemoDatabase(NullLogger<DemoDatabase>.Instance);
        await demo.EnsureAsync(pg.AdminConnectionString, name, CancellationToken.None);

        await demo.DropAsync(pg.AdminConnectionString, name, CancellationToken.None);

        var left = await ScalarAsync(pg.AdminConnectionString,
            $"SELECT (SELECT count(*) FROM pg_database WHERE datname = '{name}') + (SELECT count(*) FROM pg_roles WHERE rolname LIKE 'rose_{name}_%')");
        Assert.Equal(0L, left);
    }

    [Fact]
    public async Task EnsureAsync_InvalidName_Throws()
    {
        var demo = new DemoDatabase(NullLogger<DemoDatabase>.Instance);

        await Assert.ThrowsAsync<ArgumentException>(() => demo.EnsureAsync(pg.AdminConnectionString, "Demo; DROP", CancellationToken.None));
    }

    private static async Task<object?> ScalarAsync(string cs, string sql)
    {
        await using var conn = new Npgsql.NpgsqlConnection(cs);
        await conn.OpenAsync();
        await using var cmd = new Npgsql.NpgsqlCommand(sql, conn);
        return await cmd.ExecuteScalarAsync();
    }
}

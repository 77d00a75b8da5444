using Microsoft.Extensions.Logging.Abstractions;
using Rose.Core.Demo;
using Rose.Core.Sql;

namespace Rose.Integration.Tests.Storage;

/// <summary>The demo database holds each deliberate problem the validation dashboard should find, and nothing else.</summary>
public sealed class DemoDatabaseTests(DemoDatabaseFixture demo) : IClassFixture<DemoDatabaseFixture>
{
    [Fact]
    public async Task EnsureAsync_FreshDatabase_LoadsThousandsOfRows()
    {
        var rows = (long)(await demo.ScalarAsync("""
            SELECT (SELECT count(*) FROM customers) + (SELECT count(*) FROM products) + (SELECT count(*) FROM orders)
                 + (SELECT count(*) FROM order_items) + (SELECT count(*) FROM payments) + (SELECT count(*) FROM shipments)
                 + (SELECT count(*) FROM support_tickets) + (SELECT count(*) FROM app_events)
            """))!;

        Assert.InRange(rows, 5_000, 100_000);
        Assert.Equal(1200L, await demo.ScalarAsync("SELECT count(*) FROM customers"));
        Assert.Equal(4000L, await demo.ScalarAsync("SELECT count(*) FROM orders"));
    }

    [Fact]
    public async Task DemoData_SupportTicketsForeignKey_IsNotValidAndHasOrphans()
    {
        var orphans = await demo.ScalarAsync(
            "SELECT count(*) FROM support_tickets t WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.id = t.customer_id)");
        var validated = await demo.ScalarAsync(
            "SELECT convalidated FROM pg_constraint WHERE conname = 'support_tickets_customer_fk' AND contype = 'f'");

        Assert.Equal(15L, orphans);
        Assert.Equal(false, validated);
    }

    [Fact]
    public async Task DemoData_CustomerEmails_HaveUnconstrainedDuplicates()
    {
        var duplicated = await demo.ScalarAsync("SELECT count(*) FROM (SELECT email FROM customers GROUP BY email HAVING count(*) > 1) d");
        var uniqueIndexes = await demo.ScalarAsync("""
            SELECT count(*) FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
            WHERE i.indrelid = 'customers'::regclass AND i.indisunique AND a.attname = 'email'
            """);

        Assert.Equal(20L, duplicated);
        Assert.Equal(0L, uniqueIndexes);
    }

    [Fact]
    public async Task DemoData_CustomerFullName_NullableWithNulls()
    {
        var nulls = (long)(await demo.ScalarAsync("SELECT count(*) FROM customers WHERE full_name IS NULL"))!;
        var nullable = await demo.ScalarAsync("SELECT is_nullable FROM information_schema.columns WHERE table_name = 'customers' AND column_name = 'full_name'");

        Assert.InRange(nulls, 1, 100);
        Assert.Equal("YES", nullable);
    }

    [Fact]
    public async Task DemoData_TablesWithoutPrimaryKey_OnlyAppEvents()
    {
        var tables = await demo.ColumnAsync("""
            SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind = 'r'
              AND NOT EXISTS (SELECT 1 FROM pg_constraint p WHERE p.conrelid = c.oid AND p.contype = 'p')
            ORDER BY 1
            """);

        Assert.Equal(["app_events"], tables);
    }

    [Fact]
    public async Task DemoData_ForeignKeysWithoutIndex_OnlyShipmentsOrderId()
    {
        // A foreign key is covered when some index starts with its columns.
        var uncovered = await demo.ColumnAsync("""
            SELECT conrelid::regclass::text || '.' || (SELECT string_agg(attname, ',') FROM pg_attribute
                   WHERE attrelid = con.conrelid AND attnum = ANY (con.conkey))
            FROM pg_constraint con
            WHERE con.contype = 'f' AND con.connamespace = 'public'::regnamespace
              AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = con.conrelid
                              AND (i.indkey::int2[])[0:cardinality(con.conkey) - 1] = con.conkey)
            ORDER BY 1
            """);

        Assert.Equal(["shipments.order_id"], uncovered);
    }

    [Fact]
    public async Task DemoData_ValidatedForeignKeys_HaveNoOrphans()
    {
        var orphans = await demo.ScalarAsync("""
            SELECT (SELECT count(*) FROM orders o WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.id = o.customer_id))
                 + (SELECT count(*) FROM order_items i WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = i.order_id))
                 + (SELECT count(*) FROM order_items i WHERE NOT EXISTS (SELECT 1 FROM products p WHERE p.id = i.product_id))
                 + (SELECT count(*) FROM payments p WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = p.order_id))
                 + (SELECT count(*) FROM shipments s WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = s.order_id))
            """);
        var notValid = await demo.ColumnAsync("SELECT conname::text FROM pg_constraint WHERE NOT convalidated AND connamespace = 'public'::regnamespace");

        Assert.Equal(0L, orphans);
        Assert.Equal(["support_tickets_customer_fk"], notValid);
    }

    [Fact]
    public async Task DemoData_NullableColumns_OnlyTheIntendedOnes()
    {
        var nullable = await demo.ColumnAsync("""
            SELECT table_name || '.' || column_name FROM information_schema.columns
            WHERE table_schema = 'public' AND is_nullable = 'YES' ORDER BY 1
            """);

        // full_name is the deliberate problem; a delivery date and an anonymous event's customer are legitimately unknown.
        Assert.Equal(["app_events.customer_id", "customers.full_name", "shipments.delivered_at"], nullable);
    }

    [Fact]
    public async Task EnsureAsync_SecondCall_KeepsDataAndConnectionStrings()
    {
        var before = await demo.ScalarAsync("SELECT count(*) FROM order_items");

        var again = await new DemoDatabase(NullLogger<DemoDatabase>.Instance).EnsureAsync(demo.Server.AdminConnectionString, demo.DatabaseName, CancellationToken.None);

        Assert.Equal(before, await demo.ScalarAsync("SELECT count(*) FROM order_items"));
        Assert.Equal(1200L, await demo.ScalarAsync("SELECT count(*) FROM customers"));
        if (!string.IsNullOrEmpty(new NpgsqlConnectionStringBuilder(demo.Server.AdminConnectionString).Password))
        {
            // Role passwords derive from the admin password, so targets registered earlier keep working.
            Assert.Equal(demo.Info.ConnectionString, again.ConnectionString);
            Assert.Equal(demo.Info.ReadOnlyConnectionString, again.ReadOnlyConnectionString);
        }
        Assert.Equal(1L, await demo.ScalarAsync("SELECT 1::bigint", again.ReadOnlyConnectionString));
    }

    [Fact]
    public async Task ReadOnlyRole_Insert_Refused()
    {
        await using var conn = new NpgsqlConnection(demo.Info.ReadOnlyConnectionString);
        await conn.OpenAsync();
        await using var insert = new NpgsqlCommand("INSERT INTO products (sku, name, category, price_cents, created_at) VALUES ('X-1', 'x', 'x', 1, now())", conn);
        var readOnly = await Assert.ThrowsAsync<PostgresException>(() => insert.ExecuteNonQueryAsync());
        // Even after turning read-only transactions off, the role lacks the privilege.
        await using (var off = new NpgsqlCommand("SET default_transaction_read_only = off", conn))
        {
            await off.ExecuteNonQueryAsync();
        }
        var denied = await Assert.ThrowsAsync<PostgresException>(() => insert.ExecuteNonQueryAsync());
        await using var select = new NpgsqlCommand("SELECT count(*) FROM customers", conn);

        Assert.Equal("25006", readOnly.SqlState);
        Assert.Equal("42501", denied.SqlState);
        Assert.Equal(1200L, await select.ExecuteScalarAsync());
    }

    [Fact]
    public async Task ReadWriteRole_CrudAndCreateTable_AllowedButNoRoleOrSuperuser()
    {
        var builder = new NpgsqlConnectionStringBuilder(demo.Info.ConnectionString);
        await using var conn = new NpgsqlConnection(demo.Info.ConnectionString);
        await conn.OpenAsync();
        await using var tx = await conn.BeginTransactionAsync();
        async Task<object?> Run(string sql)
        {
            await using var cmd = new NpgsqlCommand(sql, conn, tx);
            return await cmd.ExecuteScalarAsync();
        }

        var id = await Run("INSERT INTO products (sku, name, category, price_cents, created_at) VALUES ('RW-1', 'rw', 'office', 100, now()) RETURNING id");
        await Run("UPDATE products SET price_cents = 200 WHERE sku = 'RW-1'");
        await Run("CREATE TABLE rw_scratch (id int PRIMARY KEY)");
        await Run("CREATE INDEX rw_scratch_idx ON rw_scratch (id)");
        await Run("DELETE FROM products WHERE sku = 'RW-1'");
        await tx.RollbackAsync();
        var attributes = await demo.ScalarAsync(
            $"SELECT rolsuper OR rolcreaterole OR rolcreatedb OR rolbypassrls FROM pg_roles WHERE rolname = {PgIdentifiers.QuoteLiteral(builder.Username!)}");
        await using var createRole = new NpgsqlCommand("CREATE ROLE sneaky", conn);
        var ex = await Assert.ThrowsAsync<PostgresException>(() => createRole.ExecuteNonQueryAsync());

        Assert.IsType<long>(id);
        Assert.Equal(false, attributes);
        Assert.Equal("42501", ex.SqlState);
        Assert.StartsWith("rose_demo_", builder.Username, StringComparison.Ordinal);
        Assert.EndsWith("_rw", builder.Username, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadOnlyRole_TableCreatedByReadWriteRole_CanSelect()
    {
        await using (var rw = new NpgsqlConnection(demo.Info.ConnectionString))
        {
            await rw.OpenAsync();
            await Rose.Core.Control.SqlScript.ExecuteAsync(rw, null,
                "CREATE TABLE IF NOT EXISTS agent_notes (id int PRIMARY KEY, note text NOT NULL); INSERT INTO agent_notes VALUES (1, 'hi') ON CONFLICT DO NOTHING",
                CancellationToken.None);
        }

        var count = await demo.ScalarAsync("SELECT count(*) FROM agent_notes", demo.Info.ReadOnlyConnectionString);

        Assert.Equal(1L, count);
    }
}

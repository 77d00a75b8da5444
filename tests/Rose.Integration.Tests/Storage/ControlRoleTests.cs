using Microsoft.Extensions.Logging.Abstractions;
using Rose.Core.Control;

namespace Rose.Integration.Tests.Storage;

/// <summary>The least-privileged control role: owns schema rose and what is in it, and nothing more.</summary>
public sealed class ControlRoleTests(PostgresServerFixture pg) : IClassFixture<PostgresServerFixture>
{
    private static ControlSchemaMigrator NewMigrator() => new(NullLogger<ControlSchemaMigrator>.Instance);

    private static string UniqueRole() => "rose_control_" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task EnsureAsync_FreshDatabase_RoleMigratesAndOwnsEverythingInSchemaRose()
    {
        var admin = await pg.CreateDatabaseAsync("control_role_fresh");
        var role = ControlRole.For(admin, UniqueRole());

        await role.EnsureAsync(admin, CancellationToken.None);
        await using var asRole = NpgsqlDataSource.Create(role.ConnectionString(admin));
        var applied = await NewMigrator().MigrateAsync(asRole, CancellationToken.None);

        Assert.Equal(NewMigrator().Scripts.Count, applied);
        Assert.Equal(role.Name, await ScalarAsync<string>(asRole, "SELECT current_user"));
        Assert.Equal(0L, await ScalarAsync<long>(asRole, $"""
            SELECT count(*) FROM pg_class WHERE relnamespace = 'rose'::regnamespace AND pg_get_userbyid(relowner) <> '{role.Name}'
            """));
        Assert.Equal(role.Name, await ScalarAsync<string>(asRole, "SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'rose'"));
    }

    [Fact]
    public async Task EnsureAsync_Role_HasNoPrivilegeBeyondSchemaRose()
    {
        var admin = await pg.CreateDatabaseAsync("control_role_least");
        var role = ControlRole.For(admin, UniqueRole());
        await role.EnsureAsync(admin, CancellationToken.None);
        await using var asRole = NpgsqlDataSource.Create(role.ConnectionString(admin));

        var attributes = await ScalarAsync<string>(asRole,
            "SELECT concat_ws(',', rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls) FROM pg_roles WHERE rolname = current_user");
        Assert.Equal("f,f,f,f,f", attributes);
        var schema = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync<int>(asRole, "CREATE SCHEMA intruder"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, schema.SqlState);
        var database = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync<int>(asRole, "CREATE DATABASE intruder"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, database.SqlState);
        // Nobody else may even connect to the control database.
        Assert.False(await ScalarAsync<bool>(asRole, "SELECT has_database_privilege('public', current_database(), 'CONNECT')"));
    }

    [Fact]
    public async Task EnsureAsync_SchemaMigratedEarlierBySuperuser_HandsItOverAndIsIdempotent()
    {
        var admin = await pg.CreateDatabaseAsync("control_role_upgrade");
        await using (var asAdmin = NpgsqlDataSource.Create(admin))
        {
            await NewMigrator().MigrateAsync(asAdmin, CancellationToken.None);
        }

        var role = ControlRole.For(admin, UniqueRole());
        await role.EnsureAsync(admin, CancellationToken.None);
        await role.EnsureAsync(admin, CancellationToken.None);
        await using var asRole = NpgsqlDataSource.Create(role.ConnectionString(admin));

        Assert.Equal(0, await NewMigrator().MigrateAsync(asRole, CancellationToken.None));
        Assert.Equal(0L, await ScalarAsync<long>(asRole, $"""
            SELECT count(*) FROM pg_class WHERE relnamespace = 'rose'::regnamespace AND pg_get_userbyid(relowner) <> '{role.Name}'
            """));
        Assert.Equal(0L, await ScalarAsync<long>(asRole, $"""
            SELECT count(*) FROM pg_proc WHERE pronamespace = 'rose'::regnamespace AND pg_get_userbyid(proowner) <> '{role.Name}'
            """));
        // The role can write where the console writes.
        Assert.Equal(1L, await ScalarAsync<long>(asRole,
            "WITH c AS (INSERT INTO rose.work_claims (work, slot, instance) VALUES ('t', now(), 'test') RETURNING 1) SELECT count(*) FROM c"));
    }

    [Fact]
    public async Task For_SameSuperuserPassword_GivesTheSamePassword()
    {
        var admin = pg.AdminConnectionString;
        var name = UniqueRole();

        Assert.Equal(ControlRole.For(admin, name).ConnectionString(admin), ControlRole.For(admin, name).ConnectionString(admin));
        Assert.NotEqual(
            new NpgsqlConnectionStringBuilder(ControlRole.For(admin, name).ConnectionString(admin)).Password,
            new NpgsqlConnectionStringBuilder(admin).Password);
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlDataSource db, string sql)
    {
        await using var cmd = db.CreateCommand(sql);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }
}

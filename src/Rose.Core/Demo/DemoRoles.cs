using Npgsql;

namespace Rose.Core.Demo;

/// <summary>
/// The two login roles of a demo database: rose_&lt;db&gt;_rw (CRUD on its tables, CREATE in schema public for
/// the policy's CREATE TABLE/INDEX) and rose_&lt;db&gt;_ro (SELECT only). Neither may create roles or
/// databases or bypass anything; roles are per database so several demo databases can share a cluster.
/// </summary>
internal sealed class DemoRoles
{
    /// <summary>Least privilege: no superuser, no creating databases or roles, no replication, no bypassing row security.</summary>
    private const string Attributes = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT";

    private DemoRoles(string readWrite, string readOnly, string readWritePassword, string readOnlyPassword)
    {
        ReadWrite = readWrite;
        ReadOnly = readOnly;
        _readWritePassword = readWritePassword;
        _readOnlyPassword = readOnlyPassword;
    }

    private readonly string _readWritePassword;
    private readonly string _readOnlyPassword;

    public string ReadWrite { get; }

    public string ReadOnly { get; }

    /// <summary>
    /// Passwords are an HMAC of the role name keyed by the admin password: stable across restarts (the
    /// targets registered from them keep working) without storing another secret, and useless for
    /// recovering the admin password. Without an admin password they are random and rotate on each call.
    /// </summary>
    public static DemoRoles For(string database, string adminConnectionString)
    {
        var adminPassword = new NpgsqlConnectionStringBuilder(adminConnectionString).Password;
        var rw = $"rose_{database}_rw";
        var ro = $"rose_{database}_ro";
        return new DemoRoles(rw, ro, LoginRoles.Password(adminPassword, "rose-demo-role", rw), LoginRoles.Password(adminPassword, "rose-demo-role", ro));
    }

    public string ConnectionString(string adminConnectionString, string database, bool readOnly) =>
        new NpgsqlConnectionStringBuilder(adminConnectionString)
        {
            Database = database,
            Username = readOnly ? ReadOnly : ReadWrite,
            Password = readOnly ? _readOnlyPassword : _readWritePassword,
            Passfile = null,
        }.ConnectionString;

    /// <summary>Creates or updates both roles and (re)applies their grants; every statement is idempotent.</summary>
    public async Task EnsureAsync(string adminPostgres, string adminDemo, CancellationToken ct)
    {
        var rw = PgIdentifiers.QuoteIdentifier(ReadWrite);
        var ro = PgIdentifiers.QuoteIdentifier(ReadOnly);
        var db = PgIdentifiers.QuoteIdentifier(new NpgsqlConnectionStringBuilder(adminDemo).Database!);

        await using (var conn = await PgAdmin.OpenUnpooledAsync(adminPostgres, ct))
        {
            await LoginRoles.EnsureAsync(conn, ReadWrite, _readWritePassword, Attributes, ct);
            await LoginRoles.EnsureAsync(conn, ReadOnly, _readOnlyPassword, Attributes, ct);
            await ExecuteAsync(conn, $"""
                ALTER ROLE {ro} SET default_transaction_read_only = on;
                REVOKE ALL ON DATABASE {db} FROM PUBLIC;
                GRANT CONNECT ON DATABASE {db} TO {rw}, {ro};
                """, ct);
        }

        await using (var conn = await PgAdmin.OpenUnpooledAsync(adminDemo, ct))
        {
            // ALTER DEFAULT PRIVILEGES without FOR ROLE covers objects the admin creates later; FOR ROLE rw
            // (rose_backup: the agent role holds the prior backups of its own changes, which rollback checks read)
            // covers tables the agent itself creates, so the read-only role can still read them.
            await ExecuteAsync(conn, $"""
                REVOKE CREATE ON SCHEMA public FROM PUBLIC;
                GRANT USAGE, CREATE ON SCHEMA public TO {rw};
                GRANT USAGE ON SCHEMA public TO {ro};
                GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {rw};
                GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {rw};
                GRANT SELECT ON ALL TABLES IN SCHEMA public TO {ro};
                GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO {ro};
                ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {rw};
                ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {rw};
                ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO {ro};
                ALTER DEFAULT PRIVILEGES FOR ROLE {rw} IN SCHEMA public GRANT SELECT ON TABLES TO {ro};
                ALTER DEFAULT PRIVILEGES FOR ROLE {rw} IN SCHEMA public GRANT SELECT ON SEQUENCES TO {ro};
                CREATE SCHEMA IF NOT EXISTS rose_backup AUTHORIZATION {rw};
                GRANT USAGE ON SCHEMA rose_backup TO {ro};
                ALTER DEFAULT PRIVILEGES FOR ROLE {rw} IN SCHEMA rose_backup GRANT SELECT ON TABLES TO {ro};
                """, ct);
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        await SqlScript.ExecuteAsync(conn, null, sql, ct);
    }
}

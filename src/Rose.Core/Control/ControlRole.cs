using Npgsql;

namespace Rose.Core.Control;

/// <summary>
/// The least-privileged login the console uses for its control database: it owns schema `rose` (and so
/// every table in it) and nothing else. It cannot create roles, databases, schemas or extensions, and no
/// other role may connect to the control database. The superuser is used only here, to create it;
/// README "Running several consoles" gives the same statements for a control database Rose does not own.
/// </summary>
public sealed class ControlRole
{
    public const string DefaultName = "rose_control";

    private const string Attributes = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT";

    private readonly string password;

    private ControlRole(string name, string password)
    {
        Name = name;
        this.password = password;
    }

    public string Name { get; }

    /// <summary>
    /// The password is an HMAC of the role name keyed by the superuser's password: stable across restarts
    /// without storing another secret. Without a superuser password it is random (and rotates each start).
    /// </summary>
    public static ControlRole For(string adminConnectionString, string name = DefaultName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var admin = new NpgsqlConnectionStringBuilder(adminConnectionString).Password;
        return new ControlRole(name, LoginRoles.Password(admin, "rose-control-role", name));
    }

    /// <summary>The control database as this role, on the same server as <paramref name="adminConnectionString"/>.</summary>
    public string ConnectionString(string adminConnectionString) =>
        new NpgsqlConnectionStringBuilder(adminConnectionString)
        {
            Username = Name,
            Password = password,
            Passfile = null,
        }.ConnectionString;

    /// <summary>
    /// Creates or realigns the role and hands it schema `rose` and everything already in it (a control
    /// database first created by the superuser). <paramref name="adminControlDb"/> is the superuser
    /// connected to the control database. Every statement is idempotent.
    /// </summary>
    public async Task EnsureAsync(string adminControlDb, CancellationToken ct)
    {
        var role = PgIdentifiers.QuoteIdentifier(Name);
        await using var conn = await PgAdmin.OpenUnpooledAsync(adminControlDb, ct);
        var db = PgIdentifiers.QuoteIdentifier(conn.Database);
        await LoginRoles.EnsureAsync(conn, Name, password, Attributes, ct);
        await SqlScript.ExecuteAsync(conn, null, $"""
            REVOKE ALL ON DATABASE {db} FROM PUBLIC;
            GRANT CONNECT, TEMPORARY ON DATABASE {db} TO {role};
            CREATE EXTENSION IF NOT EXISTS pg_trgm;
            CREATE SCHEMA IF NOT EXISTS rose AUTHORIZATION {role};
            ALTER SCHEMA rose OWNER TO {role};
            """, ct);
        await SqlScript.ExecuteAsync(conn, null, TransferOwnership(Name), ct);
    }

    /// <summary>
    /// Tables, views, free-standing sequences, routines and enum types in schema rose that another role owns
    /// (a control database the superuser migrated before this role existed) pass to the control role.
    /// Sequences owned by a column follow their table.
    /// </summary>
    private static string TransferOwnership(string name)
    {
        var role = PgIdentifiers.QuoteLiteral(name);
        return $$"""
            DO $rose$
            DECLARE r record;
            BEGIN
              FOR r IN
                SELECT c.oid::regclass AS obj,
                       CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END AS kind
                FROM pg_class c
                WHERE c.relnamespace = 'rose'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
                  AND pg_get_userbyid(c.relowner) <> {{role}}
                  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i'))
              LOOP
                EXECUTE format('ALTER %s %s OWNER TO %I', r.kind, r.obj, {{role}});
              END LOOP;
              FOR r IN SELECT p.oid::regprocedure AS obj FROM pg_proc p
                       WHERE p.pronamespace = 'rose'::regnamespace AND pg_get_userbyid(p.proowner) <> {{role}}
              LOOP
                EXECUTE format('ALTER ROUTINE %s OWNER TO %I', r.obj, {{role}});
              END LOOP;
              FOR r IN SELECT t.oid::regtype AS obj FROM pg_type t
                       WHERE t.typnamespace = 'rose'::regnamespace AND t.typtype = 'e'
                         AND pg_get_userbyid(t.typowner) <> {{role}}
              LOOP
                EXECUTE format('ALTER TYPE %s OWNER TO %I', r.obj, {{role}});
              END LOOP;
            END
            $rose$
            """;
    }
}

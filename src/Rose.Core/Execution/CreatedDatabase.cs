using Npgsql;

namespace Rose.Core.Execution;

/// <summary>
/// A database Rose itself creates on a target's server (a reversibility check's scratch copy, a data
/// snapshot's restore), with the target's credentials: which is why it lives in Execution beside the
/// executor. It reaches the server over an unpooled admin connection (CREATE and DROP DATABASE cannot
/// run in a transaction or take parameters) and is handed to the executor as a target of its own.
/// </summary>
internal abstract class CreatedDatabase
{
    protected CreatedDatabase(NpgsqlConnectionStringBuilder admin, string name, RegisteredTarget target)
    {
        Admin = admin;
        Name = name;
        Target = target;
    }

    public string Name { get; }

    /// <summary>The created database as a target, so statements and reads run on it exactly as the executor runs them.</summary>
    public RegisteredTarget Target { get; }

    /// <summary>The server's maintenance connection (no pooling: each admin statement is rare and stands alone).</summary>
    protected NpgsqlConnectionStringBuilder Admin { get; }

    protected static NpgsqlConnectionStringBuilder AdminConnection(string connectionString, string applicationName) =>
        new(connectionString) { Pooling = false, ApplicationName = applicationName };

    /// <summary>The target for database <paramref name="name"/> on the admin connection's server, named after its source.</summary>
    protected static RegisteredTarget TargetFor(RegisteredTarget source, NpgsqlConnectionStringBuilder admin, string name, string nameSuffix)
    {
        var connection = new NpgsqlConnectionStringBuilder(admin.ConnectionString) { Database = name, Pooling = true };
        return new RegisteredTarget(source.Definition with
        {
            Name = source.Definition.Name + ":" + nameSuffix,
            ConnectionString = connection.ConnectionString,
            ReadOnlyConnectionString = null,
        });
    }

    /// <summary>One statement on the admin connection; names in it are Rose's own or validated, so quoting is all the care they need.</summary>
    protected static async Task AdminAsync(NpgsqlConnectionStringBuilder admin, string sql, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(admin.ConnectionString);
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>pg_restore of a custom-format dump into this database, with the given options before the file.</summary>
    /// <param name="progress">Each line pg_restore writes to standard error (with --verbose among the options: its progress).</param>
    protected Task<(int ExitCode, string Error)> PgRestoreAsync(string file, string? pgDumpPath, IEnumerable<string> options, CancellationToken ct,
        Action<string>? progress = null) =>
        PgClientTools.RunAsync(PgClientTools.Resolve("pg_restore", pgDumpPath), [.. options, file],
            new NpgsqlConnectionStringBuilder(Admin.ConnectionString) { Database = Name }, ct, progress: progress);

    /// <summary>
    /// Closes the database's pool and drops it; FORCE ends any session still attached (a statement
    /// abandoned on cancel). A failure is swallowed: what led here is what the caller reports, and the
    /// name says what is left.
    /// </summary>
    protected async Task DropDatabaseAsync()
    {
        await Target.DisposeAsync();
        try
        {
            await AdminAsync(Admin, $"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", CancellationToken.None);
        }
        catch (NpgsqlException)
        {
            // See the summary: nothing more this object can do.
        }
    }
}

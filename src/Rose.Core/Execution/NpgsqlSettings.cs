namespace Rose.Core.Execution;

/// <summary>Process-wide Npgsql settings Rose depends on for safety.</summary>
public static class NpgsqlSettings
{
    /// <summary>
    /// Turns off Npgsql's client-side SQL rewriting: statement text reaches the server exactly as the
    /// parser saw it, and a command holding two statements is refused by the server (extended
    /// protocol) instead of being split by the client. Rose's own SQL uses positional $n parameters.
    /// </summary>
    public static void EnsureRawSql() => AppContext.SetSwitch("Npgsql.EnableSqlRewriting", false);

    /// <summary>
    /// Fails start-up unless the server really receives multi-statement text as one command (and
    /// refuses it). Npgsql reads the switch once, so a process that touched Npgsql before setting it
    /// would silently split statements client-side; this catches that.
    /// </summary>
    public static async Task VerifyRawSqlAsync(Npgsql.NpgsqlDataSource dataSource, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var cmd = dataSource.CreateCommand("SELECT 1; SELECT 2");
        try
        {
            await cmd.ExecuteNonQueryAsync(ct);
        }
        catch (Npgsql.PostgresException ex) when (ex.SqlState == "42601")
        {
            return;
        }

        throw new InvalidOperationException(
            "Npgsql split a multi-statement command on the client: the AppContext switch Npgsql.EnableSqlRewriting=false did not take effect. Rose refuses to start without it.");
    }
}

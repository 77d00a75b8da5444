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
}

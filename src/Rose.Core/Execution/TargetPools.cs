using Npgsql;

namespace Rose.Core.Execution;

/// <summary>
/// Builds the connection pools of a target. Living in Execution is the point: the architecture test
/// (tests/Rose.Core.Tests/Architecture) fails when a type outside Execution constructs a connection or a
/// data source, so the executor stays the only code that can reach a target.
/// </summary>
internal static class TargetPools
{
    public static NpgsqlDataSource Build(string connectionString, string name)
    {
        NpgsqlSettings.EnsureRawSql();
        var builder = new NpgsqlDataSourceBuilder(connectionString) { Name = "rose-target-" + name };
        builder.ConnectionStringBuilder.ApplicationName ??= "rose-console";
        // The executor relies on pooled connections being reset (DISCARD ALL) when returned, so a
        // session-level SET from one execution never leaks into the next.
        builder.ConnectionStringBuilder.NoResetOnClose = false;
        return builder.Build();
    }
}

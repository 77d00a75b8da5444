using System.Data.Common;
using Npgsql;

namespace Rose.Core.Control;

/// <summary>The console's own database (schema `rose`): one pooled data source for all stores.</summary>
public sealed class ControlDatabase : IAsyncDisposable
{
    public ControlDatabase(string connectionString)
    {
        NpgsqlSettings.EnsureRawSql();
        var builder = new NpgsqlDataSourceBuilder(connectionString) { Name = "rose-control" };
        builder.ConnectionStringBuilder.ApplicationName ??= "rose-console-control";
        PrepareHotStatements(connectionString, builder.ConnectionStringBuilder);
        DataSource = builder.Build();
        ConnectionString = connectionString;
    }

    public NpgsqlDataSource DataSource { get; }

    /// <summary>Kept for LISTEN connections and child processes; never logged.</summary>
    internal string ConnectionString { get; }

    /// <summary>
    /// Rose writes the control database with a handful of statements over and over: every audit attempt and
    /// outcome, migration history row and devlog is the same INSERT with new parameters. PostgreSQL parses and
    /// plans an unprepared statement on every execution, and for the attempt INSERT (19 columns, the chain-head
    /// check, nine indexes) that was half of its server time: pgbench on the control schema, one client,
    /// 0.27-0.31 ms per INSERT sent unprepared against 0.14 ms prepared. So Npgsql prepares a statement on a
    /// pooled connection at its second use and keeps the 64 most used per connection (its LRU). When another
    /// console's schema change alters what a prepared statement returns, PostgreSQL refuses its next execution
    /// ("cached plan must not change result type") before it runs anything; the pooled calls of ControlQueries then
    /// run it once more, prepared afresh. A statement inside a transaction of its own (the audit chain's batch, a
    /// store's transaction) fails once instead (an audit write then fails closed). A connection string that names Max Auto Prepare keeps its
    /// own value (0 turns this off). Only the control database: target pools run people's SQL once each and
    /// end every lease with DISCARD ALL, which drops prepared statements.
    /// </summary>
    private static void PrepareHotStatements(string connectionString, NpgsqlConnectionStringBuilder settings)
    {
        // The keys as written (Npgsql's builder answers for every keyword it knows, set or not).
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        if (!given.Keys.Cast<string>().Any(key => key.Replace(" ", "", StringComparison.Ordinal).Equals("MaxAutoPrepare", StringComparison.OrdinalIgnoreCase)))
        {
            settings.MaxAutoPrepare = 64;
            settings.AutoPrepareMinUsages = 2;
        }
    }

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();
}

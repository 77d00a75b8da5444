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
        DataSource = builder.Build();
        ConnectionString = connectionString;
    }

    public NpgsqlDataSource DataSource { get; }

    /// <summary>Kept for LISTEN connections and child processes; never logged.</summary>
    internal string ConnectionString { get; }

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();
}

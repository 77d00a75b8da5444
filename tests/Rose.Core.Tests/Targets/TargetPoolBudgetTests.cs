using Npgsql;
using Rose.Core.Targets;

namespace Rose.Core.Tests.Targets;

/// <summary>
/// A target's pools on one server share that server's connection budget (the connection string's Maximum Pool
/// Size) instead of taking it each, so a burst cannot open more sessions than the budget allows. Building a pool
/// opens no connection, so these run without a server.
/// </summary>
public sealed class TargetPoolBudgetTests
{
    private static int MaxPool(NpgsqlDataSource pool) => new NpgsqlConnectionStringBuilder(pool.ConnectionString).MaxPoolSize;

    [Theory]
    [InlineData("Host=127.0.0.1;Database=t;Username=u", 50, 50)]
    [InlineData("Host=127.0.0.1;Database=t;Username=u;Maximum Pool Size=10", 5, 5)]
    [InlineData("Host=127.0.0.1;Database=t;Username=u;Maximum Pool Size=3", 1, 2)]
    [InlineData("Host=127.0.0.1;Database=t;Username=u;Maximum Pool Size=1", 1, 1)]
    public async Task ReadsAndReadWrite_OnOneServer_SplitItsBudget(string connectionString, int reads, int readWrite)
    {
        await using var target = new RegisteredTarget(new TargetDefinition { Name = "t", ConnectionString = connectionString });

        Assert.Equal(reads, MaxPool(target.Reads));
        Assert.Equal(readWrite, MaxPool(target.ReadWrite));
        Assert.Null(target.ReadOnly);
        Assert.True(new NpgsqlConnectionStringBuilder(target.Reads.ConnectionString).ConnectionIdleLifetime <= 60);
    }

    [Fact]
    public async Task WithAReadOnlyServer_ReadsShareItsBudget_AndReadWriteKeepsItsOwn()
    {
        await using var target = new RegisteredTarget(new TargetDefinition
        {
            Name = "t",
            ConnectionString = "Host=127.0.0.1;Database=t;Username=u;Maximum Pool Size=40",
            ReadOnlyConnectionString = "Host=127.0.0.2;Database=t;Username=r;Maximum Pool Size=20",
        });

        Assert.Equal(40, MaxPool(target.ReadWrite));
        Assert.Equal(10, MaxPool(target.ReadOnly!));
        Assert.Equal(10, MaxPool(target.Reads));
        Assert.Equal("127.0.0.2", new NpgsqlConnectionStringBuilder(target.Reads.ConnectionString).Host);
    }
}

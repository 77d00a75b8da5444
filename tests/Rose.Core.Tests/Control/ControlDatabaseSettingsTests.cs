using Npgsql;
using Rose.Core.Control;

namespace Rose.Core.Tests.Control;

/// <summary>The control data source prepares its hot statements unless the connection string says otherwise.</summary>
public class ControlDatabaseSettingsTests
{
    [Fact]
    public async Task ControlDataSource_PreparesRepeatedStatements_WhenTheConnectionStringIsSilent()
    {
        await using var control = new ControlDatabase("Host=127.0.0.1;Database=rose;Username=rose");
        var settings = new NpgsqlConnectionStringBuilder(control.DataSource.ConnectionString);
        Assert.Equal(64, settings.MaxAutoPrepare);
        Assert.Equal(2, settings.AutoPrepareMinUsages);
    }

    [Theory]
    [InlineData("Host=127.0.0.1;Database=rose;Max Auto Prepare=0", 0)]
    [InlineData("Host=127.0.0.1;Database=rose;MaxAutoPrepare=10", 10)]
    [InlineData("Host=127.0.0.1;Database=rose;max auto prepare=200", 200)]
    public async Task ControlDataSource_KeepsAnOperatorsOwnMaxAutoPrepare(string connectionString, int expected)
    {
        await using var control = new ControlDatabase(connectionString);
        var settings = new NpgsqlConnectionStringBuilder(control.DataSource.ConnectionString);
        Assert.Equal(expected, settings.MaxAutoPrepare);
        Assert.NotEqual(2, settings.AutoPrepareMinUsages);
    }
}

using Rose.Core.Sql;

namespace Rose.Integration.Tests.Storage;

/// <summary>Quoting is checked by the real server: what goes in quoted must come back unchanged.</summary>
public sealed class PgIdentifiersTests(PostgresServerFixture pg) : IClassFixture<PostgresServerFixture>
{
    public static TheoryData<string> Tricky => new()
    {
        "plain",
        "it's",
        "back\\slash",
        "both ' and \\ and \"",
        "$$ dollar $$",
        "line\nbreak",
        "ünïcødé ✓",
        "'); DROP TABLE x; --",
    };

    [Theory]
    [MemberData(nameof(Tricky))]
    public async Task QuoteLiteral_TrickyText_ServerReadsItBackUnchanged(string value)
    {
        Assert.Equal(value, await ScalarAsync($"SELECT {PgIdentifiers.QuoteLiteral(value)}"));
    }

    [Theory]
    [MemberData(nameof(Tricky))]
    public async Task QuoteIdentifier_TrickyName_ServerUsesItVerbatim(string name)
    {
        Assert.Equal(name, await ScalarAsync($"SELECT 1 AS {PgIdentifiers.QuoteIdentifier(name)}", columnName: true));
    }

    [Theory]
    [InlineData("")]
    [InlineData("nul\0char")]
    [InlineData("a_name_that_is_much_longer_than_sixty_three_bytes_which_postgres_would_truncate")]
    public void QuoteIdentifier_InvalidName_Throws(string name)
    {
        Assert.Throws<ArgumentException>(() => PgIdentifiers.QuoteIdentifier(name));
    }

    private async Task<string> ScalarAsync(string sql, bool columnName = false)
    {
        await using var conn = new NpgsqlConnection(pg.AdminConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return columnName ? reader.GetName(0) : reader.GetString(0);
    }
}

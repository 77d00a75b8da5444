using System.Data;
using Rose.Core.Control;
using Rose.Core.Control.Queries;

namespace Rose.Integration.Tests.Storage;

/// <summary>
/// The control stores' Dapper layer against a real server: parameters bind by position with Npgsql's
/// SQL rewriting off, so a second statement smuggled into one command is refused by PostgreSQL itself.
/// </summary>
[Collection(PostgresSecondCollection.Name)]
public sealed class ControlQueriesTests(PostgresServerFixture pg)
{
    private sealed record Bound(string First, long Second, string? Third);

    private sealed record Stamp(DateTimeOffset At, DateTimeOffset? Missing);

    private async Task<ControlDatabase> NewControlAsync()
    {
        var control = new ControlDatabase(await pg.CreateDatabaseAsync("queries"));
        await control.ExecuteAsync("CREATE TABLE probe (id bigint PRIMARY KEY)", null, CancellationToken.None);
        await control.ExecuteAsync("INSERT INTO probe VALUES ($1)", new(PgParam.Long(1)), CancellationToken.None);
        return control;
    }

    [Fact]
    public void SqlRewriting_IsOffForTheProcess()
    {
        Assert.True(AppContext.TryGetSwitch("Npgsql.EnableSqlRewriting", out var enabled));
        Assert.False(enabled);
    }

    [Fact]
    public async Task ExecuteAsync_SecondStatementInOneCommand_IsRefusedByTheServer_AndNothingRuns()
    {
        await using var control = await NewControlAsync();

        var ex = await Assert.ThrowsAsync<PostgresException>(() =>
            control.ExecuteAsync("UPDATE probe SET id = $1 WHERE id = 1; DROP TABLE probe", new(PgParam.Long(2)), CancellationToken.None));

        Assert.Equal("42601", ex.SqlState);
        Assert.Contains("cannot insert multiple commands into a prepared statement", ex.MessageText, StringComparison.Ordinal);
        Assert.Equal([1L], await control.QueryAsync<long>("SELECT id FROM probe", null, CancellationToken.None));
    }

    [Fact]
    public async Task QueryAsync_SecondStatementWithoutParameters_IsRefusedByTheServer()
    {
        await using var control = await NewControlAsync();

        var ex = await Assert.ThrowsAsync<PostgresException>(() =>
            control.QueryAsync<long>("SELECT id FROM probe; DROP TABLE probe", null, CancellationToken.None));

        Assert.Equal("42601", ex.SqlState);
        Assert.Equal(1L, await control.QuerySingleAsync<long>("SELECT count(*) FROM probe", null, CancellationToken.None));
    }

    /// <summary>
    /// The control data source prepares a statement at its second use. Another console's schema change can alter what
    /// a prepared statement returns; PostgreSQL then refuses its next execution (0A000, before anything runs). That
    /// refusal is real (checked on a plain prepared command first), and the pooled calls run the statement once more,
    /// prepared afresh, instead of failing the caller.
    /// </summary>
    [Fact]
    public async Task PooledCalls_AfterASchemaChangeAltersAPreparedResult_RunAgainInsteadOfFailing()
    {
        var cs = new NpgsqlConnectionStringBuilder(await pg.CreateDatabaseAsync("stale_plan")) { MaxPoolSize = 1 }.ConnectionString;
        await using var control = new ControlDatabase(cs);
        await control.ExecuteAsync("CREATE TABLE shape (id int PRIMARY KEY, note int)", null, CancellationToken.None);
        await control.ExecuteAsync("INSERT INTO shape VALUES (1, 42)", null, CancellationToken.None);
        await using var other = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(cs) { Pooling = false }.ConnectionString);
        await other.OpenAsync();
        async Task AlterAsync(string type)
        {
            await using var alter = new NpgsqlCommand($"ALTER TABLE shape ALTER COLUMN note TYPE {type} USING note::{type}", other);
            await alter.ExecuteNonQueryAsync();
        }

        // The hazard itself: a prepared command on one connection, the column's type changed elsewhere.
        await using (var conn = control.DataSource.CreateConnection())
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("SELECT note FROM shape WHERE id = 1", conn);
            await cmd.PrepareAsync();
            Assert.Equal(42, await cmd.ExecuteScalarAsync());
            await AlterAsync("bigint");
            var refused = await Assert.ThrowsAsync<PostgresException>(() => cmd.ExecuteScalarAsync());
            Assert.True(ControlQueries.IsStalePlan(refused), $"{refused.SqlState} {refused.Routine}: {refused.MessageText}");
        }

        // Each pooled form: used twice (so prepared), the result's type changed, then called again.
        var round = 0;
        async Task<T> AfterChangeAsync<T>(Func<Task<T>> call)
        {
            await call();
            await call();
            await AlterAsync(round++ % 2 == 0 ? "text" : "bigint");
            return await call();
        }

        // Every statement returns note, whose type each change alters.
        Assert.Equal("42", await AfterChangeAsync(async () => (await control.QueryAsync<string>("SELECT note::text, note FROM shape", null, CancellationToken.None)).Single()));
        Assert.Equal(1L, await AfterChangeAsync(() => control.QuerySingleAsync<long>("SELECT id::bigint, note FROM shape WHERE id = $1", new(PgParam.Int(1)), CancellationToken.None)));
        Assert.Equal(1, await AfterChangeAsync(() => control.QuerySingleOrDefaultAsync<int>("SELECT id, note FROM shape", null, CancellationToken.None)));
        Assert.Equal(1, await AfterChangeAsync(() => control.ExecuteAsync("UPDATE shape SET id = 1 RETURNING note", null, CancellationToken.None)));
        Assert.Equal(4, round);
    }

    [Fact]
    public async Task QuerySingleAsync_BindsParametersInOrder_AndMapsColumnsByName()
    {
        await using var control = await NewControlAsync();
        const string hostile = "x'; DROP TABLE probe; --";

        var row = await control.QuerySingleAsync<Bound>(
            """SELECT $1::text AS "First", $2::bigint AS "Second", $3::text AS "Third" """,
            new(PgParam.Text(hostile), PgParam.Long(42), PgParam.Text(null)), CancellationToken.None);

        Assert.Equal(new Bound(hostile, 42, null), row);
        Assert.Equal(1L, await control.QuerySingleAsync<long>("SELECT count(*) FROM probe", null, CancellationToken.None));
    }

    [Fact]
    public async Task PositionalParameters_ReusedForASecondCommand_BindAgain()
    {
        await using var control = await NewControlAsync();
        var parameters = new PositionalParameters();
        var placeholder = parameters.Add(PgParam.Long(1));

        var first = await control.QueryAsync<long>($"SELECT id FROM probe WHERE id = {placeholder}", parameters, CancellationToken.None);
        var second = await control.QueryAsync<long>($"SELECT id FROM probe WHERE id = {placeholder}", parameters, CancellationToken.None);

        Assert.Equal("$1", placeholder);
        Assert.Equal([1L], first);
        Assert.Equal([1L], second);
    }

    [Fact]
    public void PositionalParameters_NamedParameter_IsRefused()
    {
        var ex = Assert.Throws<ArgumentException>(() => new PositionalParameters(new NpgsqlParameter("id", 1L)));

        Assert.Contains("bind by position", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QuerySingleAsync_Timestamptz_MapsToUtcDateTimeOffset_AndNullToNull()
    {
        await using var control = await NewControlAsync();

        var stamp = await control.QuerySingleAsync<Stamp>(
            """SELECT timestamptz '2026-03-04 05:06:07.123456+02' AS "At", NULL::timestamptz AS "Missing" """, null, CancellationToken.None);

        Assert.Equal(new DateTimeOffset(2026, 3, 4, 3, 6, 7, TimeSpan.Zero).AddTicks(1234560), stamp.At);
        Assert.Equal(TimeSpan.Zero, stamp.At.Offset);
        Assert.Null(stamp.Missing);
    }

    [Fact]
    public async Task QuerySingleAsync_TimestampWithoutTimeZone_IsRefused()
    {
        await using var control = await NewControlAsync();

        var ex = await Assert.ThrowsAsync<DataException>(() => control.QuerySingleAsync<Stamp>(
            """SELECT timestamp '2026-03-04 05:06:07' AS "At", NULL::timestamptz AS "Missing" """, null, CancellationToken.None));

        Assert.IsType<InvalidCastException>(ex.InnerException);
    }
}

using Rose.Console.Components.Pages.Workbench;
using Rose.Core.Control;
using Rose.Core.Export;

namespace Rose.Console.Tests.Workbench;

/// <summary>A download parked by one console is fetched, once, from another that shares the control database.</summary>
public sealed class ExportTokensAcrossConsolesTests(PostgresServerFixture pg) : IClassFixture<PostgresServerFixture>
{
    [Fact]
    public async Task Redeem_TokenFromAnotherConsole_WorksOnceForItsUserOnly()
    {
        // A control database with the current schema (a copy of the run's migrated template).
        var cs = await pg.CreateControlDatabaseAsync("export_tickets");

        await using var controlA = new ControlDatabase(cs);
        await using var controlB = new ControlDatabase(cs);
        var a = new ExportTokens(new ExportTicketStore(controlA), TimeProvider.System);
        var b = new ExportTokens(new ExportTicketStore(controlB), TimeProvider.System);

        var token = await a.CreateAsync("alice", "demo", "SELECT 1", "why", statement: 2);

        Assert.Null(await b.RedeemAsync(token, "bob"));
        var ticket = await b.RedeemAsync(token, "alice");
        Assert.NotNull(ticket);
        Assert.Equal(("demo", "SELECT 1", "why", (int?)2), (ticket.Database, ticket.Sql, ticket.Reason, ticket.Statement));
        Assert.Null(await a.RedeemAsync(token, "alice"));
        await using var conn = await controlA.DataSource.OpenConnectionAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM rose.export_tickets WHERE token_hash = $1", conn);
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = token });
        Assert.Equal(0L, (long)(await cmd.ExecuteScalarAsync())!);
    }
}

namespace Rose.Console.Tests.Undo;

/// <summary>
/// The done-when of undo through the HTTP API: an agent deletes and updates, rolls both back, and the table is as it was.
/// One host: only the first test changes `stock` (and puts it back); the second asks about changes that do not exist.
/// </summary>
[Collection("postgres")]
public sealed class ChangeRollbackApiTests(PostgresServerFixture pg, SharedRoseApp shared) : SharedHostTest(pg, shared)
{
    private const string Checksum = "SELECT md5(string_agg(s::text, '|' ORDER BY id)) FROM stock s";

    protected override async Task SeedAsync(RoseAppFactory app)
    {
        await using var conn = new NpgsqlConnection(app.TargetConnection);
        await conn.OpenAsync();
        await Rose.Core.Control.SqlScript.ExecuteAsync(conn, null,
            "CREATE TABLE stock (id int PRIMARY KEY, sku text NOT NULL, qty int, seen timestamptz); " +
            "INSERT INTO stock SELECT g, 'sku-' || g, g % 23, '2024-05-01 10:00:00+00'::timestamptz + g * interval '1 minute' FROM generate_series(1, 2000) g",
            CancellationToken.None);
    }

    [Fact]
    public async Task Rollback_DeleteAndUpdateNewestFirst_TableChecksumEqualsOriginal_ThenConflict()
    {
        using var agent = App.AgentClient();
        var original = await Db.ScalarAsync<string>(App.TargetConnection, Checksum);

        var (deleted, delete) = await PostAsync(agent, "/api/v1/sql/execute", new { database = "demo", sql = "DELETE FROM stock WHERE id > 1000", reason = "prune" });
        var (updated, update) = await PostAsync(agent, "/api/v1/sql/execute", new { database = "demo", sql = "UPDATE stock SET qty = -1 WHERE id % 2 = 0", reason = "reset" });
        Assert.Equal(HttpStatusCode.OK, deleted);
        Assert.Equal(1000, delete.GetProperty("statements")[0].GetProperty("rows_affected").GetInt32());
        Assert.Equal(HttpStatusCode.OK, updated);
        Assert.Equal(500, update.GetProperty("statements")[0].GetProperty("rows_affected").GetInt32());

        var (undoneUpdate, _) = await PostAsync(agent, $"/api/v1/changes/{update.GetProperty("audit_id").GetInt64()}/rollback", new { reason = "wrong rows" });
        var (undoneDelete, undoDelete) = await PostAsync(agent, $"/api/v1/changes/{delete.GetProperty("audit_id").GetInt64()}/rollback", new { reason = "wrong rows" });

        Assert.Equal(HttpStatusCode.OK, undoneUpdate);
        Assert.Equal(HttpStatusCode.OK, undoneDelete);
        Assert.Equal("succeeded", undoDelete.GetProperty("status").GetString());
        Assert.Equal(original, await Db.ScalarAsync<string>(App.TargetConnection, Checksum));

        // The deleted rows are back, so restoring them again would duplicate them: 409 names them.
        var (again, conflict) = await PostAsync(agent, $"/api/v1/changes/{delete.GetProperty("audit_id").GetInt64()}/rollback", new { reason = "twice" });
        Assert.Equal(HttpStatusCode.Conflict, again);
        Assert.Equal("urn:rose:problem:conflict", conflict.GetProperty("type").GetString());
        Assert.Contains("public.stock id=1001 (exists again)", conflict.GetProperty("rows").EnumerateArray().Select(r => r.GetString()));
    }

    [Fact]
    public async Task Rollback_UnknownChangeOrNoReason_AnswersProblems()
    {
        using var agent = App.AgentClient();

        var (missing, problem) = await PostAsync(agent, "/api/v1/changes/987654321/rollback", new { reason = "x" });
        var (noReason, _) = await PostAsync(agent, "/api/v1/changes/1/rollback", new { });

        Assert.Equal(HttpStatusCode.NotFound, missing);
        Assert.Equal("urn:rose:problem:not_found", problem.GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, noReason);
    }
}

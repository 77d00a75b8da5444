using Rose.Core.Audit;
using Rose.Core.Control;

namespace Rose.Console.Tests.Audit;

/// <summary>The chain check through the real host, on a fresh control database: it alters a row and counts every row before it.</summary>
[Collection("postgres")]
public sealed class AuditVerifyTests(PostgresServerFixture pg) : HostTest(pg)
{
    [Fact]
    public async Task Verify_AlteredRow_ReportsItAsTheFirstBrokenRow()
    {
        var ids = new List<long>();
        for (var i = 0; i < 6; i++)
        {
            ids.Add(await AuditSeed.AddAsync(App.Services, $"SELECT {i}"));
        }

        using var dave = await App.ClientAsync("dave");
        var before = JsonDocument.Parse(await dave.GetStringAsync("/api/v1/audit/verify")).RootElement;
        Assert.True(before.GetProperty("valid").GetBoolean());

        await using (var conn = new NpgsqlConnection(App.ControlConnection))
        {
            await conn.OpenAsync();
            await SqlScript.ExecuteAsync(conn, null,
                $"ALTER TABLE rose.audit_log DISABLE TRIGGER audit_log_append_only; UPDATE rose.audit_log SET reason = 'nothing to see' WHERE id = {ids[3]}; ALTER TABLE rose.audit_log ENABLE TRIGGER audit_log_append_only;", CancellationToken.None);
        }

        var after = JsonDocument.Parse(await dave.GetStringAsync("/api/v1/audit/verify")).RootElement;
        var ranged = JsonDocument.Parse(await dave.GetStringAsync($"/api/v1/audit/verify?from={ids[4]}&to={ids[5]}")).RootElement;

        Assert.False(after.GetProperty("valid").GetBoolean());
        Assert.Equal(ids[3], after.GetProperty("first_broken_id").GetInt64());
        // Every row before it checked out: the three seeded here and the start-up configuration's admin row.
        Assert.Equal(ids[3] - 1, after.GetProperty("rows_checked").GetInt64());
        Assert.True(ranged.GetProperty("valid").GetBoolean()); // a range after the altered row still links up
    }
}

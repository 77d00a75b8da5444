using Rose.Core.Audit;
using Rose.Core.Control;
using Rose.Core.Identity;
using Rose.Core.Policy;

namespace Rose.Integration.Tests.Audit;

/// <summary>
/// The chain writer appends in one round trip when the chain's head is the row it wrote last, and
/// reads the head first when another writer (another console instance) moved it. Two writers on one
/// control database, taking turns and racing, must still build one straight chain.
/// </summary>
[Collection("postgres")]
public sealed class AuditChainHeadTests(PostgresServerFixture pg) : PipelineTest(pg)
{
    private static AuditAttempt Attempt(string sql) =>
        new(PipelineHarness.Alice, Channel.Api, "t", "chain head", sql, ["SELECT"], Decision.Allow, []);

    [Fact]
    public async Task TwoInstances_TakingTurnsAndRacing_BuildOneStraightChain()
    {
        var first = Harness.Services.GetRequiredService<AuditLog>();
        // A second instance: its own writer, so its own idea of the head, on the same control database.
        var second = new AuditLog(Harness.Services.GetRequiredService<ControlDatabase>());

        var ids = new List<long>();
        for (var i = 0; i < 6; i++)
        {
            // Runs of two from the same writer: the second of each run finds its own head (one round trip);
            // the first of each run finds the other writer's head (the head is read again).
            var writer = i / 2 % 2 == 0 ? first : second;
            ids.Add(await writer.RecordAttemptAsync(Attempt($"SELECT {i}"), CancellationToken.None));
        }

        var raced = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            Task.Run(() => (i % 2 == 0 ? first : second).RecordAttemptAsync(Attempt($"SELECT race {i}"), CancellationToken.None))));
        ids.AddRange(raced);
        ids.Add(await first.RecordAttemptAsync(Attempt("SELECT last"), CancellationToken.None));

        Assert.Equal(47, ids.Distinct().Count());
        Assert.Equal(ids.Take(6), ids.Take(6).Order());
        foreach (var id in ids)
        {
            await (id % 2 == 0 ? first : second).RecordOutcomeAsync(id, new AuditOutcome(AuditStatus.Succeeded), CancellationToken.None);
        }

        var report = await Harness.Services.GetRequiredService<AuditChainVerifier>().VerifyAsync(null, null, CancellationToken.None);
        Assert.True(report.Valid, report.Problem);
        Assert.Equal(47, report.RowsChecked);
        Assert.Equal(47L, await Harness.ControlScalarAsync<long>("SELECT count(DISTINCT prev_hash) FROM rose.audit_log"));
    }
}

using Rose.Core.Audit;
using Rose.Core.Identity;
using Rose.Core.Policy;

namespace Rose.Integration.Tests.Audit;

/// <summary>
/// A held attempt (<see cref="AuditLog.HoldAttempt"/>, an MCP tool call's row around its SQL) is committed in the
/// same transaction as the next attempt appended, ahead of it, or on its own when its holder asks for its id first;
/// either way it is in the chain, linked and verifiable, and a failed next attempt does not take it down.
/// </summary>
[Collection("postgres")]
public sealed class AuditChainHoldTests(PostgresServerFixture pg) : PipelineTest(pg)
{
    private AuditLog Audit => Harness.Services.GetRequiredService<AuditLog>();

    private static AuditAttempt Attempt(string text) =>
        new(Actor.System("test"), Channel.Mcp, "t", null, "-- " + text, ["MCP TOOL TEST"], Decision.Allow, ["test"]);

    [Fact]
    public async Task HeldRow_CommitsWithTheNextAttempt_InOneTransaction_AheadOfIt()
    {
        var held = Audit.HoldAttempt(Attempt("covering"));
        var next = await Audit.RecordAttemptAsync(Attempt("covered statement"), CancellationToken.None);
        var covering = await held.WrittenAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.True(covering < next, "the covering row must come first in the chain");
        Assert.Equal(1L, await Harness.ControlScalarAsync<long>(
            $"SELECT count(DISTINCT xmin::text) FROM rose.audit_log WHERE id IN ({covering}, {next})"));
        Assert.Equal(covering, await Harness.ControlScalarAsync<long>(
            $"SELECT id FROM rose.audit_log WHERE row_hash = (SELECT prev_hash FROM rose.audit_log WHERE id = {next})"));
        await CloseAndVerifyAsync(covering, next);
    }

    [Fact]
    public async Task HeldRow_NobodyAppendsAfterIt_IsWrittenWhenItsHolderWaitsForIt()
    {
        var held = Audit.HoldAttempt(Attempt("alone"));
        var id = await held.WrittenAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal("-- alone", await Harness.ControlScalarAsync<string>($"SELECT sql_text FROM rose.audit_log WHERE id = {id}"));
        Assert.True(Audit.IsOpen(id));
        await CloseAndVerifyAsync(id);
    }

    [Fact]
    public async Task ManyHolders_AtOnce_EachRowWrittenOnce_AndTheChainVerifies()
    {
        // Holders and appenders interleaved from many tasks: no row lost, none written twice, one linked chain.
        var ids = await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
        {
            await Task.Yield();
            if (i % 2 == 0)
            {
                var held = Audit.HoldAttempt(Attempt($"held {i}"));
                var mine = await Audit.RecordAttemptAsync(Attempt($"after held {i}"), CancellationToken.None);
                return new[] { await held.WrittenAsync(CancellationToken.None), mine };
            }

            return [await Audit.RecordAttemptAsync(Attempt($"plain {i}"), CancellationToken.None)];
        })).WaitAsync(TimeSpan.FromSeconds(60));

        var all = ids.SelectMany(x => x).ToArray();
        Assert.Equal(60, all.Distinct().Count());
        Assert.Equal(60L, await Harness.ControlScalarAsync<long>("SELECT count(*) FROM rose.audit_log WHERE sql_text LIKE '-- %held %' OR sql_text LIKE '-- plain %'"));
        await CloseAndVerifyAsync(all);
    }

    private async Task CloseAndVerifyAsync(params long[] ids)
    {
        foreach (var id in ids)
        {
            await Audit.RecordOutcomeAsync(id, new AuditOutcome(AuditStatus.Succeeded), CancellationToken.None);
        }

        var report = await Harness.Services.GetRequiredService<AuditChainVerifier>()
            .VerifyAsync(null, null, TimeSpan.Zero, CancellationToken.None);
        Assert.True(report.Valid, report.Problem);
        Assert.Equal(0L, report.Unfinished);
    }
}

using Rose.Core.Audit;
using Rose.Core.Audit.Checkpoints;
using Rose.Core.Control;

namespace Rose.Integration.Tests.Audit;

/// <summary>
/// The chain's head signed outside the control database: tampering that keeps every link whole (a cut
/// tail, a chain rebuilt from scratch) is still reported. The tampering is done the way the database's
/// owner could: triggers off, rows deleted or replaced.
/// </summary>
[Collection("postgres")]
public sealed class AuditCheckpointTests(PostgresServerFixture pg) : PipelineTest(pg)
{
    private AuditChainVerifier Verifier => Harness.Services.GetRequiredService<AuditChainVerifier>();

    private AuditCheckpoints Checkpoints => Harness.Services.GetRequiredService<AuditCheckpoints>();

    private async Task ControlExecAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(Harness.ControlConnection);
        await conn.OpenAsync();
        await SqlScript.ExecuteAsync(conn, null, sql, CancellationToken.None);
    }

    private async Task RunAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            await Harness.RunAsync($"SELECT {i}");
        }
    }

    [Fact]
    public async Task Verify_AfterTheNewestRowsAreDeleted_ReportsTheMissingTail()
    {
        await RunAsync(5);
        var checkpoint = await Checkpoints.WriteAsync(CancellationToken.None);
        Assert.True((await Verifier.VerifyAsync(null, null, CancellationToken.None)).Valid);

        await ControlExecAsync($"""
            ALTER TABLE rose.audit_outcome DISABLE TRIGGER USER; ALTER TABLE rose.audit_log DISABLE TRIGGER USER;
            DELETE FROM rose.audit_outcome WHERE audit_id >= {checkpoint!.Id - 1}; DELETE FROM rose.audit_log WHERE id >= {checkpoint.Id - 1};
            ALTER TABLE rose.audit_outcome ENABLE TRIGGER USER; ALTER TABLE rose.audit_log ENABLE TRIGGER USER;
            """);
        var report = await Verifier.VerifyAsync(null, null, CancellationToken.None);

        Assert.False(report.Valid);
        Assert.Equal(checkpoint.Id, report.FirstBrokenId);
        Assert.Contains("missing", report.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_AfterTheWholeChainIsRewritten_ReportsTheRewrite()
    {
        await RunAsync(4);
        var checkpoint = await Checkpoints.WriteAsync(CancellationToken.None);

        // A forger with the database rebuilds a flawless chain of the same length (same ids, fresh hashes).
        await ControlExecAsync("""
            ALTER TABLE rose.audit_outcome DISABLE TRIGGER USER; ALTER TABLE rose.audit_log DISABLE TRIGGER USER;
            DELETE FROM rose.audit_outcome; DELETE FROM rose.audit_log; ALTER TABLE rose.audit_log ALTER COLUMN id RESTART WITH 1;
            ALTER TABLE rose.audit_outcome ENABLE TRIGGER USER; ALTER TABLE rose.audit_log ENABLE TRIGGER USER;
            """);
        await RunAsync(4);
        var report = await Verifier.VerifyAsync(null, null, CancellationToken.None);

        Assert.False(report.Valid);
        Assert.Equal(checkpoint!.Id, report.FirstBrokenId);
        Assert.Contains("rewritten", report.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Checkpoints_AreSigned_AndAForgedOneIsRefused()
    {
        await RunAsync(2);
        var first = await Checkpoints.WriteAsync(CancellationToken.None);
        await RunAsync(1);
        var second = await Checkpoints.WriteAsync(CancellationToken.None);
        // An unchanged head is not signed twice.
        Assert.Equal(second, await Checkpoints.WriteAsync(CancellationToken.None));

        var listed = await Checkpoints.ListAsync(CancellationToken.None);
        Assert.Equal([first!.Id, second!.Id], listed.Select(c => c.Checkpoint.Id));
        Assert.All(listed, c => Assert.True(c.SignatureValid));
        Assert.DoesNotContain(Convert.ToHexStringLower(await File.ReadAllBytesAsync(Checkpoints.KeyPath)),
            await Harness.ControlScalarAsync<string>("SELECT string_agg(row_hash, '') FROM rose.audit_log"), StringComparison.Ordinal);

        // Someone who can edit the file but lacks the key moves the head back to hide the last row.
        await File.AppendAllTextAsync(Checkpoints.FilePath,
            $"{{\"chain\":\"{first.Chain}\",\"id\":{first.Id},\"hash\":\"{first.Hash}\",\"time\":\"{DateTimeOffset.UtcNow:O}\",\"signature\":\"{first.Signature}\"}}\n");
        var report = await Verifier.VerifyAsync(null, null, CancellationToken.None);

        Assert.False(report.Valid);
        Assert.Contains("signature", report.Problem, StringComparison.Ordinal);
    }
}

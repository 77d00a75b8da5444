using System.Text.Json;
using Rose.Core.Approvals;
using Rose.Core.Audit;
using Rose.Core.Devlogs;
using Rose.Core.Execution;
using Rose.Core.Identity;

namespace Rose.Integration.Tests.Devlogs;

/// <summary>Rose writes a devlog for each approved execution, linked to the execution's audit row.</summary>
[Collection(PostgresSecondCollection.Name)]
public sealed class ApprovalDevlogTests(PostgresServerFixture pg) : PipelineTest(pg)
{
    private static readonly Actor Bob = new("bob", "Bob", ActorKind.Human, "dev");

    [Fact]
    public async Task ApproveAsync_Executed_WritesAnApprovalDevlogLinkedToTheExecutionAuditRow()
    {
        await Harness.TargetExecAsync("CREATE TABLE doomed (id int); INSERT INTO doomed VALUES (1), (2);");
        var parked = await Harness.RunAsync("DROP TABLE doomed");
        Assert.Equal(OutcomeStatus.PendingApproval, parked.Status);

        var result = await Harness.Services.GetRequiredService<ApprovalService>().ApproveAsync(parked.ApprovalId!.Value, Bob, true, "ok", CancellationToken.None);

        Assert.True(result.Done, result.Message);
        var executionAuditId = result.Outcome!.AuditId;
        var devlogs = await Harness.Services.GetRequiredService<DevlogStore>().ListAsync(new DevlogFilter { AuditId = executionAuditId }, CancellationToken.None);
        var devlog = Assert.Single(devlogs.Items);
        Assert.Equal(DevlogTypes.Approval, devlog.LogType);
        Assert.Equal("t", devlog.ServiceId);
        Assert.Equal("system", devlog.AuthorKind);
        using var metadata = JsonDocument.Parse(devlog.MetadataJson);
        Assert.Equal("test", metadata.RootElement.GetProperty("intent").GetString());
        Assert.Equal("DROP TABLE doomed", metadata.RootElement.GetProperty("sql").GetString());
        Assert.Equal(0, metadata.RootElement.GetProperty("rows_affected").GetInt64());
        Assert.Equal(parked.ApprovalId, metadata.RootElement.GetProperty("approval_id").GetInt64());

        // The audit detail finds it from the execution row.
        var links = await Harness.Services.GetRequiredService<AuditReader>().DevlogsForAsync(executionAuditId, CancellationToken.None);
        Assert.Equal(devlog.Id, Assert.Single(links).Id);
    }

    [Fact]
    public async Task ApproveAsync_Rejected_WritesNoDevlog()
    {
        await Harness.TargetExecAsync("CREATE TABLE kept (id int)");
        var parked = await Harness.RunAsync("DROP TABLE kept");

        await Harness.Services.GetRequiredService<ApprovalService>().RejectAsync(parked.ApprovalId!.Value, Bob, true, "no", CancellationToken.None);

        var page = await Harness.Services.GetRequiredService<DevlogStore>().ListAsync(new DevlogFilter(), CancellationToken.None);
        Assert.Empty(page.Items);
    }
}

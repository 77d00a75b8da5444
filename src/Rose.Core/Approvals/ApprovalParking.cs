namespace Rose.Core.Approvals;

/// <summary>The pipeline's parking place: a parked request becomes an approval request with a risk preview, and approvers hear of it.</summary>
internal sealed class ApprovalParking(
    ApprovalStore approvals,
    ApprovalNotifier notifier,
    ApprovalPreviewer previewer,
    IOptions<RoseOptions> options,
    ILogger<ApprovalParking> logger) : IApprovalParking
{
    public Task<long> ParkAsync(ParkedRequest parked, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(parked);
        var (request, decision) = (parked.Request, parked.Decision);
        return approvals.CreateAsync(new ApprovalDraft(request.Executor, request.Channel, request.Database,
            request.Reason, request.Sql, decision.Operations, decision.Reasons, parked.AuditId,
            TimeSpan.FromHours(options.Value.Approvals.ExpiryHours), request.Policy), ct);
    }

    public async Task AnnounceAsync(long approvalId, RegisteredTarget target, SqlBatch batch, CancellationToken ct)
    {
        await AttachPreviewAsync(approvalId, target, batch, ct);
        await notifier.PublishAsync(approvalId, CancellationToken.None);
    }

    /// <summary>A failed preview never loses the request: the approver sees that it is missing.</summary>
    private async Task AttachPreviewAsync(long approvalId, RegisteredTarget target, SqlBatch batch, CancellationToken ct)
    {
        try
        {
            var (preview, snapshot) = await previewer.ComputeAsync(approvalId, target, batch, ct);
            await approvals.SetPreviewAsync(approvalId, preview, snapshot, CancellationToken.None);
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or TimeoutException or AuditUnavailableException)
        {
            logger.LogWarning(ex, "No risk preview for approval {ApprovalId}", approvalId);
            await approvals.SetPreviewAsync(approvalId, JsonSerializer.Serialize(new { error = "The risk preview could not be computed." }), null, CancellationToken.None);
        }
    }
}

namespace Rose.Console.Components.Pages.Undo;

/// <summary>
/// A change's prior backup and its "Roll back this change" button. The rollback runs through the
/// pipeline under the signed-in person's own policy (ChangeRollback), so it runs, parks or is denied
/// like anything else they send.
/// </summary>
public partial class RollbackPanel
{
    [Inject] private PriorBackupStore Store { get; set; } = default!;
    [Inject] private ChangeRollback Rollback { get; set; } = default!;
    [Inject] private CurrentIdentity Identity { get; set; } = default!;
    [Inject] private AuthenticationStateProvider Auth { get; set; } = default!;

    /// <summary>The audit entry of the change (for an approval: the entry of its execution).</summary>
    [Parameter, EditorRequired] public long AuditId { get; set; }

    private IReadOnlyList<PriorBackupRecord> backups = [];
    private string? reason;
    private bool busy;
    private string? message;
    private Severity severity = Severity.Info;
    private IReadOnlyList<string> conflictRows = [];

    protected override async Task OnParametersSetAsync() =>
        backups = await Store.ForAuditAsync(AuditId, CancellationToken.None);

    private async Task RollbackAsync()
    {
        busy = true;
        conflictRows = [];
        try
        {
            var user = (await Auth.GetAuthenticationStateAsync()).User;
            var outcome = await Rollback.RollbackAsync(AuditId, CurrentIdentity.ToActor(user), Channel.Workbench,
                await Identity.PolicyForAsync(user, CancellationToken.None), reason ?? "", CancellationToken.None);
            (severity, message) = outcome.Status switch
            {
                OutcomeStatus.Succeeded => (Severity.Success, $"Rolled back: {outcome.Result!.TotalRowsAffected:N0} row(s) restored (audit #{outcome.AuditId})."),
                OutcomeStatus.PendingApproval => (Severity.Info, $"The rollback waits for approval (request #{outcome.ApprovalId})."),
                OutcomeStatus.Denied => (Severity.Error, "The rollback was denied: " + string.Join("; ", outcome.Reasons)),
                _ => (Severity.Error, $"The rollback failed: {outcome.Result?.Error?.Message}"),
            };
        }
        catch (RollbackConflictException ex)
        {
            (severity, message, conflictRows) = (Severity.Warning, ex.Message, ex.Rows);
        }
        catch (Exception ex) when (ex is RollbackRefusedException or RollbackNotFoundException or ExecutionRequestException)
        {
            (severity, message) = (Severity.Warning, ex.Message);
        }
        finally
        {
            busy = false;
        }
    }
}

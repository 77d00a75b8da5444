using Rose.Core.Approvals;
using Rose.Core.Execution;
using Rose.Core.Identity;

namespace Rose.Core.Undo;

/// <summary>
/// The approved run of an in-place snapshot restore. Its request holds no SQL to run (its text only
/// tells the approver what will happen), so this guard does the restore itself, once, as an audited run,
/// and never hands the text to the pipeline. It answers only for requests
/// <see cref="DataSnapshots.RequestRestoreInPlaceAsync"/> parked: their operation is not one the
/// classifier can give parked SQL.
/// </summary>
internal sealed class ApprovedSnapshotRestore(DataSnapshots snapshots) : IApprovedRunGuard
{
    public bool Handles(ApprovalRequest request) => DataSnapshots.InPlaceSnapshotOf(request) is not null;

    public Task<ExecutionOutcome> RunAsync(ApprovalRequest request, Actor approver, Func<TargetSession?, CancellationToken, Task<ExecutionOutcome>> execute,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(approver);
        return snapshots.RunApprovedInPlaceAsync(request, approver, ct);
    }
}

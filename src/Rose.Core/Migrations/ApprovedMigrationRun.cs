using Npgsql;
using Rose.Core.Approvals;

namespace Rose.Core.Migrations;

/// <summary>
/// An approved request of the migration channel (a parked migration run or undo, or a snapshot
/// restore) is held to what the runner does when it applies straight away: it waits for the
/// migration lock and holds it throughout, takes the schema snapshot first (when configured; a failed
/// snapshot means nothing runs), counts the touched tables before and after, and writes one migration
/// devlog of those counts linked to the execution's audit row. The stored SQL itself still runs once,
/// through the pipeline, as the approval service hands it over, on the session that holds the lock.
/// </summary>
internal sealed class ApprovedMigrationRun(
    TargetRegistry targets,
    ISqlClassifier classifier,
    SqlExecutor executor,
    MigrationSnapshots snapshots,
    MigrationDevlog devlog,
    IOptions<RoseOptions> options,
    ILogger<ApprovedMigrationRun> logger) : IApprovedRunGuard
{
    public bool Handles(ApprovalRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return string.Equals(request.Channel, Channel.Migration.Name(), StringComparison.Ordinal);
    }

    public async Task<ExecutionOutcome> RunAsync(ApprovalRequest request, Actor approver, Func<TargetSession?, CancellationToken, Task<ExecutionOutcome>> execute, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(approver);
        ArgumentNullException.ThrowIfNull(execute);
        if (!targets.TryGet(request.Database, out var target))
        {
            // The pipeline denies an unknown target, as it always has; there is nothing to lock or count.
            return await execute(null, ct);
        }

        // The history rows the parked SQL writes are bookkeeping, not data the migration touches.
        var tables = MigrationRowCounts.TablesOf(classifier.Classify(request.Sql)).Where(t => !SchemaHistory.IsHistoryTable(t)).ToList();
        await using var session = await OpenLockedAsync(target, ct);
        try
        {
            var (snapshot, pre) = await PrepareAsync(session, target, tables, ct);
            // On the session that holds the lock: the SQL runs where the lock is, not on a second connection.
            var outcome = await execute(session, ct);
            if (outcome.Status == OutcomeStatus.Succeeded)
            {
                await RecordAsync(session, request, approver, target, tables, pre, snapshot, outcome.AuditId);
            }

            return outcome;
        }
        finally
        {
            await MigrationLock.ReleaseAsync(session);
        }
    }

    private async Task<TargetSession> OpenLockedAsync(RegisteredTarget target, CancellationToken ct)
    {
        try
        {
            return await MigrationLock.OpenAsync(executor, target, options.Value.Migrations, ct);
        }
        catch (Exception ex) when (ex is MigrationException or NpgsqlException or TimeoutException)
        {
            throw Refused(ex);
        }
    }

    /// <summary>Everything before the SQL runs; any failure here means it does not run at all.</summary>
    private async Task<(string? Snapshot, Dictionary<string, long> Pre)> PrepareAsync(TargetSession session, RegisteredTarget target,
        IReadOnlyList<string> tables, CancellationToken ct)
    {
        try
        {
            var snapshot = options.Value.Migrations.Snapshot ? (await snapshots.TakeAsync(target, ct)).Path : null;
            return (snapshot, await MigrationRowCounts.CountAsync(session, tables, ct));
        }
        catch (Exception ex) when (ex is MigrationException or NpgsqlException or TimeoutException or IOException or UnauthorizedAccessException)
        {
            throw Refused(ex);
        }
    }

    /// <summary>
    /// After a successful run: the counts after and the devlog. The SQL has committed by now, so a
    /// count or devlog that fails is logged (and the devlog says unverified), never turned into a failure.
    /// </summary>
    private async Task RecordAsync(TargetSession session, ApprovalRequest request, Actor approver, RegisteredTarget target,
        IReadOnlyList<string> tables, Dictionary<string, long> pre, string? snapshot, long auditId)
    {
        var post = new Dictionary<string, long>(StringComparer.Ordinal);
        var verified = false;
        try
        {
            post = await MigrationRowCounts.CountAsync(session, tables, CancellationToken.None);
            verified = true;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            logger.LogWarning(ex, "Approval {ApprovalId} ran, but the row counts after it could not be read", request.Id);
        }

        try
        {
            await devlog.WriteAsync(request.Requester(), target.Definition.Name, Subject(request, approver, target.Definition.Name, snapshot),
                pre, post, verified, auditId, CancellationToken.None);
        }
        catch (NpgsqlException ex)
        {
            logger.LogError(ex, "Approval {ApprovalId} ran, but its migration devlog could not be written", request.Id);
        }
    }

    private static MigrationDevlogSubject Subject(ApprovalRequest request, Actor approver, string database, string? snapshot)
    {
        var files = MigrationApprovalSql.Files(request.Sql);
        var what = files.Count switch
        {
            0 => request.Reason ?? "migration SQL",
            <= 3 => string.Join(", ", files),
            _ => string.Join(", ", files.Take(3)) + $" and {files.Count - 3} more",
        };
        return new MigrationDevlogSubject(
            $"Approved migration run #{request.Id} applied to {database}: {what} (approved by {approver.Name})",
            request.Reason ?? "approved migration run",
            request.Sql,
            new
            {
                files,
                approval_id = request.Id,
                requested_by = request.RequesterId,
                approved_by = approver.Id,
                approved_by_name = approver.Name,
                snapshot,
            });
    }

    private static ApprovedRunRefusedException Refused(Exception ex) =>
        new($"The approved migration run did not start, nothing was applied: {ex.Message}", ex);
}

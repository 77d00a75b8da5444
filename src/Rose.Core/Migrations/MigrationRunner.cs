namespace Rose.Core.Migrations;

/// <summary>
/// Applies migrations the careful way: one executor session holding a session-level advisory lock
/// (concurrent runners apply each version once), a snapshot first, each migration in its own
/// transaction with its history row, row counts before and after, an audit row per migration
/// (channel "migration"), and a devlog. Anything the policy parks goes to approval as ONE request
/// and nothing is applied until it is approved.
/// </summary>
public sealed partial class MigrationRunner(MigrationPlanner planner, MigrationParts parts, ExecutionService execution, MigrationSnapshots snapshots,
    MigrationDevlog devlog, Undo.SchemaBaseline baseline)
{
    public Task<MigrationRunResult> ApplyAsync(MigrationRunRequest request, IProgress<MigrationProgress>? progress, CancellationToken ct) =>
        DatabaseErrors.TranslateAsync(() => ApplyUntranslatedAsync(request, progress, ct));

    private async Task<MigrationRunResult> ApplyUntranslatedAsync(MigrationRunRequest request, IProgress<MigrationProgress>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        await RefuseBadCharactersAsync(request, ct);
        var target = planner.Target(request.Database);
        progress?.Report(new MigrationProgress("lock", null, 0, 0, "Waiting for the migration lock"));
        await using var session = await MigrationLock.OpenAsync(parts.Executor, target, parts.Settings, ct);
        try
        {
            if (!request.DryRun)
            {
                await SchemaHistory.EnsureAsync(session, ct);
            }

            var history = await SchemaHistory.ReadAsync(session, ct);
            var status = MigrationStatusCalculator.Compute(target.Definition.Name, request.Set, history);
            var pending = MigrationPlanner.PendingScripts(status, request.Set).Select(s => (Script: s, Batch: parts.Classifier.Classify(s.Sql))).ToList();
            var context = await planner.LintContextAsync(target, pending.SelectMany(p => p.Batch.Statements), ct);
            var plan = planner.Plan(status, pending, request.Policy, context);
            if (plan.Blockers.Count > 0)
            {
                return new MigrationRunResult(MigrationRunStatus.Failed, target.Definition.Name, [], plan,
                    "Apply is blocked: " + string.Join(" ", plan.Blockers), DryRun: request.DryRun);
            }

            if (pending.Count == 0)
            {
                progress?.Report(new MigrationProgress("done", null, 0, 0, "Up to date: nothing to apply"));
                return new MigrationRunResult(MigrationRunStatus.Succeeded, target.Definition.Name, [], plan, DryRun: request.DryRun, Notes: ["Up to date: nothing to apply."]);
            }

            if (plan.Decision == Decision.Deny)
            {
                return await DenyAsync(request, target, pending, plan, ct);
            }

            if (plan.Decision == Decision.Approval && !request.DryRun)
            {
                return await ParkAsync(request, target, MigrationApprovalSql.ForApply(pending, request.Executor), plan, ct);
            }

            if (request.DryRun)
            {
                return await DryRunAsync(request, target, session, pending, plan, progress, ct);
            }

            if (request.SingleTransaction && pending.Any(p => p.Batch.Statements.Any(s => s.NoTransaction)))
            {
                return new MigrationRunResult(MigrationRunStatus.Failed, target.Definition.Name, [], plan,
                    "A single-transaction run cannot hold a migration PostgreSQL must run outside a transaction (CREATE INDEX CONCURRENTLY, ...); apply without single_transaction.");
            }

            // The snapshot and, on a target Rose has never migrated, the drift baseline (drift counts only what
            // changes after Rose first migrates a target: where it started is recorded once) are two pg_dumps of the
            // schema before anything runs; neither needs the other, so they run side by side. A failed snapshot
            // still stops the run before anything is applied.
            Task<MigrationSnapshot?> snapshot = Task.FromResult<MigrationSnapshot?>(null);
            if (parts.Settings.Snapshot)
            {
                progress?.Report(new MigrationProgress("snapshot", null, 0, pending.Count, "Taking a schema snapshot (pg_dump --schema-only)"));
                snapshot = TakeSnapshotAsync(target, ct);
            }

            var recorded = baseline.RecordIfMissingAsync(target, session, ct);
            await Task.WhenAll(snapshot, recorded);
            var snapshotPath = (await snapshot)?.Path;
            var baselineNote = await recorded;
            var applied = request.SingleTransaction
                ? await ApplyAllInOneAsync(request, target, session, pending, progress, ct)
                : await ApplyEachAsync(request, target, session, pending, progress, ct);
            var failure = applied.FirstOrDefault(a => !a.Succeeded);
            progress?.Report(new MigrationProgress(failure is null ? "done" : "failed", failure?.FileName, applied.Count(a => a.Succeeded), pending.Count,
                failure is null ? $"Applied {applied.Count} migration(s)" : $"{failure.FileName} failed: {failure.Result.Error?.Message}"));
            var notes = applied.Where(a => !a.AllOrNothing).Select(a => $"{a.FileName} holds statements PostgreSQL cannot run in a transaction: it ran alone and is not all-or-nothing.").ToList();
            if (baselineNote is not null)
            {
                notes.Add(baselineNote);
            }

            return new MigrationRunResult(failure is null ? MigrationRunStatus.Succeeded : MigrationRunStatus.Failed, target.Definition.Name, applied, plan,
                failure?.Result.Error?.Message, failure?.Result.Error, AuditId: applied.LastOrDefault()?.AuditId, SnapshotPath: snapshotPath, Notes: notes);
        }
        finally
        {
            await MigrationLock.ReleaseAsync(session);
        }
    }

    private async Task<MigrationSnapshot?> TakeSnapshotAsync(RegisteredTarget target, CancellationToken ct) => await snapshots.TakeAsync(target, ct);

    private async Task<MigrationRunResult> DenyAsync(MigrationRunRequest request, RegisteredTarget target,
        IReadOnlyList<(MigrationScript Script, SqlBatch Batch)> pending, MigrationPlan plan, CancellationToken ct)
    {
        var sql = string.Join("\n", pending.Select(p => $"-- migration {p.Script.FileName}\n{p.Script.Sql}"));
        var operations = pending.SelectMany(p => p.Batch.Statements.SelectMany(s => s.Operations)).Distinct(StringComparer.Ordinal).ToList();
        var auditId = await parts.Runs.RecordAsync(new AuditAttempt(request.Executor, Channel.Migration, target.Definition.Name,
            request.Reason, sql, operations, Decision.Deny, plan.Reasons), new AuditOutcome(AuditStatus.Denied), ct);
        return new MigrationRunResult(MigrationRunStatus.Denied, target.Definition.Name, [], plan, AuditId: auditId, Reasons: plan.Reasons);
    }

    /// <summary>Parks the whole run as one approval request through the normal pipeline.</summary>
    private async Task<MigrationRunResult> ParkAsync(MigrationRunRequest request, RegisteredTarget target, string sql, MigrationPlan plan, CancellationToken ct)
    {
        var outcome = await execution.ExecuteAsync(new ExecutionRequest(request.Executor, Channel.Migration, target.Definition.Name, sql,
            request.Reason ?? "migration run", request.Policy), null, ct);
        return outcome.Status switch
        {
            OutcomeStatus.PendingApproval => new MigrationRunResult(MigrationRunStatus.PendingApproval, target.Definition.Name, [], plan,
                ApprovalId: outcome.ApprovalId, AuditId: outcome.AuditId, Reasons: plan.Reasons,
                Notes: ["Nothing was applied. The pending migrations and their history rows run together, once, when a person approves the request."]),
            OutcomeStatus.Denied => new MigrationRunResult(MigrationRunStatus.Denied, target.Definition.Name, [], plan, AuditId: outcome.AuditId,
                Reasons: [.. outcome.Reasons, "(the parked run also writes rose_schema_history, so the policy must allow INSERT and DELETE there)"]),
            _ => new MigrationRunResult(MigrationRunStatus.Failed, target.Definition.Name, [], plan,
                "The run was expected to park for approval but the pipeline answered " + outcome.Status, outcome.Result?.Error, AuditId: outcome.AuditId),
        };
    }
}

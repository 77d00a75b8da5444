using System.Diagnostics;

namespace Rose.Core.Migrations;

/// <summary>Undo to a version: the U files of every newer applied version, newest first.</summary>
public sealed partial class MigrationRunner
{
    /// <param name="toVersion">The version to end at; every applied version above it is undone.</param>
    public async Task<MigrationRunResult> UndoAsync(MigrationRunRequest request, MigrationVersion toVersion, IProgress<MigrationProgress>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(toVersion);
        await RefuseBadCharactersAsync(request, ct);
        var target = planner.Target(request.Database);
        await using var session = await MigrationLock.OpenAsync(parts.Executor, target, parts.Settings, ct);
        try
        {
            var history = await SchemaHistory.ReadAsync(session, ct);
            var status = MigrationStatusCalculator.Compute(target.Definition.Name, request.Set, history);
            if (status.Blockers.Count > 0)
            {
                return new MigrationRunResult(MigrationRunStatus.Failed, target.Definition.Name, [], Error: "Undo is blocked: " + string.Join(" ", status.Blockers));
            }

            var toUndo = status.Entries
                .Where(e => e.Type == MigrationType.Versioned && e.State is MigrationState.Applied or MigrationState.Missing && MigrationVersion.Parse(e.Version!) > toVersion)
                .Select(e => MigrationVersion.Parse(e.Version!))
                .OrderDescending()
                .ToList();
            var missingUndo = toUndo.Where(v => request.Set.UndoFor(v) is null).ToList();
            if (missingUndo.Count > 0)
            {
                return new MigrationRunResult(MigrationRunStatus.Failed, target.Definition.Name, [],
                    Error: $"No undo file (U<version>__...sql) for version(s) {string.Join(", ", missingUndo)}; nothing was undone.");
            }

            var undos = toUndo.Select(v => request.Set.UndoFor(v)!).Select(u => (Script: u, Batch: parts.Classifier.Classify(u.Sql))).ToList();
            if (undos.Count == 0)
            {
                return new MigrationRunResult(MigrationRunStatus.Succeeded, target.Definition.Name, [], Notes: [$"Nothing above version {toVersion} is applied."]);
            }

            var environment = target.Definition.Environment;
            var planned = undos.Select(u => planner.PlanScript(u.Script, u.Batch, request.Policy, target.Definition.Name, environment, Lint.LintContext.Empty)).ToList();
            var plan = new MigrationPlan(target.Definition.Name, status, planned, planned.Max(p => p.Decision), []);
            if (plan.Decision == Decision.Deny)
            {
                return await DenyAsync(request, target, undos, plan, ct);
            }

            if (plan.Decision == Decision.Approval)
            {
                return await ParkAsync(request, target, MigrationApprovalSql.ForUndo(undos, request.Executor), plan, ct);
            }

            var applied = new List<AppliedMigration>();
            foreach (var (undo, batch) in undos)
            {
                progress?.Report(new MigrationProgress("undo", undo.FileName, applied.Count, undos.Count, $"Undoing version {undo.Version} with {undo.FileName}"));
                var watch = Stopwatch.StartNew();
                var (auditId, result) = await parts.Runs.RunInTransactionAsync(new AuditAttempt(request.Executor, Channel.Migration, target.Definition.Name,
                        Reason(request, undo), undo.Sql, Operations(batch), Decision.Allow, []),
                    session, run => run.Session!.RunInTransactionAsync(batch, async () =>
                    {
                        await SchemaHistory.DeleteVersionAsync(run.Session, undo.Version!, ct);
                        await SchemaHistory.InsertAsync(run.Session, undo, request.Executor.Name, (int)watch.ElapsedMilliseconds, true, ct);
                    }, ct),
                    Outcome, ct);
                var ok = result.Status == ExecutionStatus.Succeeded;
                applied.Add(new AppliedMigration(undo.FileName, undo.Version?.Text, undo.Description, undo.Type, ok, true,
                    watch.Elapsed.TotalMilliseconds, auditId, new Dictionary<string, long>(), new Dictionary<string, long>(), result));
                if (!ok)
                {
                    return new MigrationRunResult(MigrationRunStatus.Failed, target.Definition.Name, applied, plan, result.Error?.Message, result.Error);
                }
            }

            return new MigrationRunResult(MigrationRunStatus.Succeeded, target.Definition.Name, applied, plan);
        }
        finally
        {
            await MigrationLock.ReleaseAsync(session);
        }
    }

    /// <summary>Verify: checksums match, nothing failed, nothing out of order, nothing applied without a file.</summary>
    public async Task<(bool Ok, MigrationStatusReport Status)> VerifyAsync(string database, MigrationSet set, CancellationToken ct)
    {
        var status = await planner.StatusAsync(database, set, ct);
        return (status.Problems.Count == 0, status);
    }
}

using System.Diagnostics;

namespace Rose.Core.Migrations;

/// <summary>The steps of an apply: each migration alone, all in one transaction, or a rolled-back dry run.</summary>
public sealed partial class MigrationRunner
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>At most this many applied migrations wait for their devlogs, which one INSERT then writes.</summary>
    private const int DevlogBatch = 100;

    private async Task<List<AppliedMigration>> ApplyEachAsync(MigrationRunRequest request, RegisteredTarget target, TargetSession session,
        IReadOnlyList<(MigrationScript Script, SqlBatch Batch)> pending, IProgress<MigrationProgress>? progress, CancellationToken ct)
    {
        var applied = new List<AppliedMigration>();
        // Devlogs go out in batches and always before the run returns, also when it fails or throws part-way.
        // A crash in between loses at most one batch, and each of those migrations still has its audit
        // attempt and outcome, which say what ran.
        var devlogs = new List<(int Index, MigrationScript Script)>();
        // Each migration's outcome row is written while the next one runs (its attempt is still committed before
        // it runs); all are written before the run returns.
        var outcomes = parts.Runs.OneBehind();
        try
        {
            // Under the run lock nothing of Rose runs on the target between one migration's COMMIT and the next
            // one's BEGIN, so one query counts the tables the last migration named (its post counts) and those the
            // next one names (its pre counts): one round trip per migration instead of two.
            var pre = await MigrationRowCounts.CountAsync(session, pending[0].Batch, ct);
            for (var i = 0; i < pending.Count; i++)
            {
                var (script, batch) = pending[i];
                progress?.Report(new MigrationProgress("apply", script.FileName, i, pending.Count, $"Applying {script.FileName} ({i + 1}/{pending.Count})"));
                var attempt = new AuditAttempt(request.Executor, Channel.Migration, target.Definition.Name,
                    Reason(request, script), script.Sql, Operations(batch), Decision.Allow, []);
                // A transactional migration's attempt carries its transaction id (crash recovery asks the target);
                // one PostgreSQL cannot run in a transaction starts outside one, so it has none to carry.
                var (auditId, one) = batch.Statements.Any(s => s.NoTransaction)
                    ? await parts.Runs.RunAsync(attempt, run => ApplyOneAsync(run.Session!, script, batch, request.Executor.Name, ct), r => Outcome(r.Result), ct, session,
                        behind: outcomes)
                    : await parts.Runs.RunInTransactionAsync(attempt, session, run => ApplyOneAsync(run.Session!, script, batch, request.Executor.Name, ct), r => Outcome(r.Result), ct,
                        outcomes);
                var succeeded = one.Result.Status == ExecutionStatus.Succeeded;
                var post = new Dictionary<string, long>(StringComparer.Ordinal);
                var migrationPre = pre;
                if (succeeded)
                {
                    var tables = MigrationRowCounts.TablesOf(batch);
                    var next = i + 1 < pending.Count ? MigrationRowCounts.TablesOf(pending[i + 1].Batch) : [];
                    var counts = await MigrationRowCounts.CountAsync(session, tables.Concat(next), ct);
                    post = Only(counts, tables);
                    pre = Only(counts, next);
                    devlogs.Add((applied.Count, script));
                }

                applied.Add(new AppliedMigration(script.FileName, script.Version?.Text, script.Description, script.Type, succeeded, one.AllOrNothing,
                    one.Ms, auditId, migrationPre, post, one.Result));
                if (devlogs.Count >= DevlogBatch)
                {
                    await WriteDevlogsAsync(request, target, applied, devlogs);
                }

                if (!succeeded)
                {
                    break;
                }
            }
        }
        catch (Exception)
        {
            // The run's own exception is what the caller must see; the outcomes and the devlogs of what did commit are still written.
            await WhileFailingAsync(outcomes.FlushAsync);
            await WhileFailingAsync(() => WriteDevlogsAsync(request, target, applied, devlogs));
            throw;
        }

        await outcomes.FlushAsync();
        await WriteDevlogsAsync(request, target, applied, devlogs);
        return applied;
    }

    /// <summary>Bookkeeping after a run threw: done if the control database lets it, else left (the audit rows, or recovery, say what ran).</summary>
    private static async Task WhileFailingAsync(Func<Task> write)
    {
        try
        {
            await write();
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or InvalidOperationException or TimeoutException or AuditUnavailableException)
        {
            // See the summary; the run's own exception follows.
        }
    }

    /// <summary>The devlogs of the applied migrations at <paramref name="waiting"/> in one INSERT; their ids go onto <paramref name="applied"/>.</summary>
    private async Task WriteDevlogsAsync(MigrationRunRequest request, RegisteredTarget target, List<AppliedMigration> applied, List<(int Index, MigrationScript Script)> waiting)
    {
        if (waiting.Count == 0)
        {
            return;
        }

        var ids = await devlog.WriteManyAsync(request.Executor, target.Definition.Name, request.Reason,
            [.. waiting.Select(w => new MigrationDevlogEntry(w.Script, applied[w.Index].PreCounts, applied[w.Index].PostCounts, applied[w.Index].AuditId))],
            verified: true, CancellationToken.None);
        for (var k = 0; k < waiting.Count; k++)
        {
            applied[waiting[k].Index] = applied[waiting[k].Index] with { DevlogId = ids[k] };
        }

        waiting.Clear();
    }

    /// <summary>One migration with its history row, on the locked session; the runner counts rows before and after it.</summary>
    private static async Task<OneApplied> ApplyOneAsync(TargetSession session, MigrationScript script, SqlBatch batch, string by, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        var allOrNothing = !batch.Statements.Any(s => s.NoTransaction);
        ExecutionResult result;
        if (allOrNothing)
        {
            // The history row rides with COMMIT: one round trip for both.
            result = await session.RunInTransactionAsync(batch, SchemaHistory.InsertSql,
                () => SchemaHistory.InsertParameters(script, by, (int)watch.ElapsedMilliseconds, success: true), ct);
        }
        else
        {
            result = await session.RunSegmentedAsync(batch, ct);
            // A failure part-way is recorded so status shows "failed" and blocks further applies until repaired.
            await TryRecordAsync(session, script, by, (int)watch.ElapsedMilliseconds, result.Status == ExecutionStatus.Succeeded, ct);
        }

        return new OneApplied(result, watch.Elapsed.TotalMilliseconds, allOrNothing);
    }

    private async Task<List<AppliedMigration>> ApplyAllInOneAsync(MigrationRunRequest request, RegisteredTarget target, TargetSession session,
        IReadOnlyList<(MigrationScript Script, SqlBatch Batch)> pending, IProgress<MigrationProgress>? progress, CancellationToken ct)
    {
        var sql = string.Join("\n", pending.Select(p => $"-- migration {p.Script.FileName}\n{p.Script.Sql}"));
        var (auditId, all) = await parts.Runs.RunInTransactionAsync(new AuditAttempt(request.Executor, Channel.Migration, target.Definition.Name,
                request.Reason ?? "migration run (single transaction)", sql, [.. pending.SelectMany(p => Operations(p.Batch)).Distinct(StringComparer.Ordinal)], Decision.Allow, []),
            session, run => ApplyAllAsync(run.Session!, pending, request.Executor.Name, progress, ct),
            r => Outcome(new ExecutionResult { Status = r.Failed?.Status ?? ExecutionStatus.Succeeded, Error = r.Failed?.Error }), ct);
        var applied = new List<AppliedMigration>();
        var ok = all.Failed is null;
        // After the one COMMIT: every table counted in one round trip, every devlog in one INSERT. Each
        // migration's post count is the state after the whole run, as it was when they were counted one by one.
        var post = ok ? await MigrationRowCounts.CountAsync(session, pending.SelectMany(p => MigrationRowCounts.TablesOf(p.Batch)), ct) : [];
        var posts = pending.Select(p => Only(post, MigrationRowCounts.TablesOf(p.Batch))).ToList();
        var devlogIds = ok
            ? await devlog.WriteManyAsync(request.Executor, target.Definition.Name, request.Reason,
                [.. pending.Take(all.Results.Count).Select((p, i) => new MigrationDevlogEntry(p.Script, all.Pres[i], posts[i], auditId))],
                verified: true, CancellationToken.None)
            : [];
        for (var i = 0; i < all.Results.Count; i++)
        {
            var (script, _) = pending[i];
            applied.Add(new AppliedMigration(script.FileName, script.Version?.Text, script.Description, script.Type,
                ok, true, all.Results[i].Ms, auditId, all.Pres[i], ok ? posts[i] : [], all.Results[i].Result, ok ? devlogIds[i] : null));
        }

        return applied;
    }

    /// <summary>The counts of <paramref name="tables"/> out of all counts of a run.</summary>
    private static Dictionary<string, long> Only(Dictionary<string, long> counts, IReadOnlyList<string> tables) =>
        tables.Where(counts.ContainsKey).ToDictionary(t => t, t => counts[t], StringComparer.Ordinal);

    /// <summary>Every pending migration and its history row in the transaction the audited run opened on the locked session; the first failure rolls all back.</summary>
    private static async Task<AllApplied> ApplyAllAsync(TargetSession session, IReadOnlyList<(MigrationScript Script, SqlBatch Batch)> pending,
        string by, IProgress<MigrationProgress>? progress, CancellationToken ct)
    {
        // Every table before anything runs, in one round trip, as counting them one migration after another did.
        var before = await MigrationRowCounts.CountAsync(session, pending.SelectMany(p => MigrationRowCounts.TablesOf(p.Batch)), ct);
        var pres = pending.Select(p => Only(before, MigrationRowCounts.TablesOf(p.Batch))).ToList();

        var results = new List<(ExecutionResult Result, double Ms)>();
        ExecutionResult? failed = null;
        for (var i = 0; i < pending.Count && failed is null; i++)
        {
            progress?.Report(new MigrationProgress("apply", pending[i].Script.FileName, i, pending.Count, $"Applying {pending[i].Script.FileName} ({i + 1}/{pending.Count}, one transaction)"));
            var watch = Stopwatch.StartNew();
            var result = await session.RunStatementsAsync(pending[i].Batch, ct);
            results.Add((result, watch.Elapsed.TotalMilliseconds));
            if (result.Status != ExecutionStatus.Succeeded)
            {
                failed = result;
            }
        }

        if (failed is null)
        {
            // All history rows in one INSERT, sent with the COMMIT: the same transaction as the migrations, one round trip.
            await session.CommitWithAsync(SchemaHistory.InsertManySql,
                SchemaHistory.InsertManyParameters([.. pending.Select((p, i) => (p.Script, (int)results[i].Ms))], by, success: true), ct);
        }
        else
        {
            await session.RollbackAsync();
        }

        return new AllApplied(pres, results, failed);
    }

    private async Task<MigrationRunResult> DryRunAsync(MigrationRunRequest request, RegisteredTarget target, TargetSession session,
        IReadOnlyList<(MigrationScript Script, SqlBatch Batch)> pending, MigrationPlan plan, IProgress<MigrationProgress>? progress, CancellationToken ct)
    {
        var applied = new List<AppliedMigration>();
        var notes = new List<string> { "Dry run: everything ran inside one transaction that was rolled back." };
        await session.BeginAsync(ct);
        try
        {
            await SchemaHistory.EnsureAsync(session, ct);
            foreach (var (script, batch) in pending)
            {
                if (batch.Statements.Any(s => s.NoTransaction))
                {
                    notes.Add($"{script.FileName} was skipped: PostgreSQL cannot run it inside a transaction, so it cannot be tried and rolled back.");
                    continue;
                }

                progress?.Report(new MigrationProgress("dry-run", script.FileName, applied.Count, pending.Count, $"Trying {script.FileName}"));
                var pre = await MigrationRowCounts.CountAsync(session, batch, ct);
                var watch = Stopwatch.StartNew();
                var result = await session.RunStatementsAsync(batch, ct);
                var ok = result.Status == ExecutionStatus.Succeeded;
                var post = ok ? await MigrationRowCounts.CountAsync(session, batch, ct) : new Dictionary<string, long>();
                applied.Add(new AppliedMigration(script.FileName, script.Version?.Text, script.Description, script.Type, ok, true,
                    watch.Elapsed.TotalMilliseconds, null, pre, post, result));
                if (!ok)
                {
                    break;
                }

                await SchemaHistory.InsertAsync(session, script, request.Executor.Name, (int)watch.ElapsedMilliseconds, true, ct);
            }
        }
        finally
        {
            await session.RollbackAsync();
        }

        var failure = applied.FirstOrDefault(a => !a.Succeeded);
        return new MigrationRunResult(failure is null ? MigrationRunStatus.Succeeded : MigrationRunStatus.Failed, target.Definition.Name, applied, plan,
            failure?.Result.Error?.Message, failure?.Result.Error, DryRun: true, Notes: notes);
    }

    private static async Task TryRecordAsync(TargetSession session, MigrationScript script, string by, int ms, bool success, CancellationToken ct)
    {
        try
        {
            await SchemaHistory.InsertAsync(session, script, by, ms, success, ct);
        }
        catch (Exception ex) when (!success && ex is Npgsql.NpgsqlException or InvalidOperationException)
        {
            // The connection is gone with the failure; the audit row still says what happened.
        }
    }

    private static string Reason(MigrationRunRequest request, MigrationScript script) =>
        string.IsNullOrWhiteSpace(request.Reason) ? $"migration {script.FileName}" : $"{request.Reason} ({script.FileName})";

    private static List<string> Operations(SqlBatch batch) =>
        [.. batch.Statements.SelectMany(s => s.Operations).Distinct(StringComparer.Ordinal)];

    private static AuditOutcome Outcome(ExecutionResult result) => new(
        result.Status == ExecutionStatus.Succeeded ? AuditStatus.Succeeded : AuditStatus.Failed,
        result.TotalRowsAffected, result.DurationMs, result.Error?.SqlState, result.Error?.Message,
        JsonSerializer.Serialize(result.Statements.Select(s => new { s.Index, s.Tag, s.RowsAffected, s.DurationMs, s.RanAlone }), Json));

    private sealed record OneApplied(ExecutionResult Result, double Ms, bool AllOrNothing);

    private sealed record AllApplied(List<Dictionary<string, long>> Pres, List<(ExecutionResult Result, double Ms)> Results, ExecutionResult? Failed);
}

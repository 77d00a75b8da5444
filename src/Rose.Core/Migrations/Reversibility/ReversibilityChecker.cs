namespace Rose.Core.Migrations.Reversibility;

/// <summary>
/// Proves that migrations can be undone: on a scratch database (a schema-only copy of the target, or
/// an empty one), for each version in order it applies up, undoes, and applies up again, comparing the
/// schema after undo with the schema before up, and the schema after the second up with the first.
/// The target itself is never written; the check is audited once on the target's name.
/// </summary>
public sealed class ReversibilityChecker(MigrationPlanner planner, MigrationParts parts)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    /// <summary>The reason on every check's attempt; crash recovery reads it to know the target was never written.</summary>
    internal const string ScratchOnlyReason = "runs on a scratch database; the target is not changed";

    public Task<ReversibilityReport> CheckAsync(ReversibilityRequest request, IProgress<MigrationProgress>? progress, CancellationToken ct) =>
        DatabaseErrors.TranslateAsync(() => CheckUntranslatedAsync(request, progress, ct));

    private async Task<ReversibilityReport> CheckUntranslatedAsync(ReversibilityRequest request, IProgress<MigrationProgress>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var target = planner.Target(request.Database);
        var notes = new List<string>();
        var scripts = await ScriptsToCheckAsync(request, notes, ct);
        if (scripts.Count == 0)
        {
            notes.Add(request.FromEmpty ? "There are no versioned migrations to check." : "Nothing is pending, so there is nothing to check. Use from_empty to check every version.");
            return new ReversibilityReport(target.Definition.Name, request.FromEmpty, [], notes, null);
        }

        var units = scripts.Select(up => Unit(request, target, up)).ToList();
        var steps = new List<ReversibilityStep>();
        var (auditId, _) = await parts.Runs.RunAsync(new AuditAttempt(request.Executor, Channel.Migration, target.Definition.Name,
                string.IsNullOrWhiteSpace(request.Reason) ? "reversibility check" : request.Reason + " (reversibility check)",
                AuditSql(units), [.. units.SelectMany(u => Operations(u.Up.Batch).Concat(u.Undo is null ? [] : Operations(u.Undo.Value.Batch))).Distinct(StringComparer.Ordinal)],
                Decision.Allow, [ScratchOnlyReason]),
            _ => CheckOnScratchAsync(request, target, units, steps, notes, progress, ct),
            _ => Outcome(steps, null), ct,
            // Recorded on the audit row, then passed on: the caller reports it.
            failed: ex => Outcome(steps, ex is OperationCanceledException ? "The check was cancelled." : ex.Message));

        progress?.Report(new MigrationProgress("done", null, steps.Count, units.Count,
            steps.All(s => s.Verdict == ReversibilityVerdict.Reversible) ? $"{steps.Count} version(s) reversible" : "Not every version is reversible"));
        return new ReversibilityReport(target.Definition.Name, request.FromEmpty, steps, notes, auditId);
    }

    /// <summary>The check itself, inside its audited run: a scratch database, then up, undo, up per version on one session there.</summary>
    private async Task<bool> CheckOnScratchAsync(ReversibilityRequest request, RegisteredTarget target, IReadOnlyList<CheckUnit> units,
        List<ReversibilityStep> steps, List<string> notes, IProgress<MigrationProgress>? progress, CancellationToken ct)
    {
        progress?.Report(new MigrationProgress("scratch", null, 0, units.Count, request.FromEmpty ? "Creating an empty scratch database" : "Copying the target's schema to a scratch database"));
        try
        {
            await using var scratch = await ScratchDatabase.CreateAsync(target, parts.Settings, ct);
            notes.Add($"Scratch database {scratch.Name} (dropped afterwards).");
            if (!request.FromEmpty)
            {
                await scratch.CopySchemaAsync(target, parts.Settings.PgDumpPath, ct);
            }

            await using var session = await parts.Executor.OpenSessionAsync(scratch.Target,
                new ExecutionLimits(0, TimeSpan.FromSeconds(parts.Settings.StatementTimeoutSeconds), target.Definition.LockTimeout), ct);
            foreach (var unit in units)
            {
                progress?.Report(new MigrationProgress("check", unit.Up.Script.FileName, steps.Count, units.Count,
                    $"Checking version {unit.Up.Script.Version} ({steps.Count + 1}/{units.Count}): up, undo, up"));
                var step = await CheckOneAsync(session, unit, ct);
                steps.Add(step);
                if (step.Verdict is ReversibilityVerdict.Failed or ReversibilityVerdict.Refused)
                {
                    notes.Add($"The check stopped at version {step.Version}: later versions build on it.");
                    break;
                }
            }
        }
        catch (TargetToolException ex)
        {
            throw new MigrationException(ex.Message);
        }

        return true;
    }

    private static AuditOutcome Outcome(List<ReversibilityStep> steps, string? failure)
    {
        var ok = failure is null && steps.All(s => s.Verdict == ReversibilityVerdict.Reversible);
        return new AuditOutcome(ok ? AuditStatus.Succeeded : AuditStatus.Failed,
            ErrorMessage: failure ?? (ok ? null : string.Join(" ", steps.Where(s => s.Verdict != ReversibilityVerdict.Reversible).Select(s => $"{s.Version}: {s.Message}"))),
            StatementsJson: JsonSerializer.Serialize(steps.Select(s => new { s.Version, verdict = s.Verdict.ToString(), differences = s.UndoDifferences.Count + s.RedoDifferences.Count }), Json));
    }

    private async Task<List<MigrationScript>> ScriptsToCheckAsync(ReversibilityRequest request, List<string> notes, CancellationToken ct)
    {
        if (request.FromEmpty)
        {
            if (request.Set.Repeatables.Any())
            {
                notes.Add("Repeatable (R__) migrations are not part of the check: they have no undo.");
            }

            return [.. request.Set.Versioned];
        }

        var status = await planner.StatusAsync(request.Database, request.Set, ct);
        if (status.Blockers.Count > 0)
        {
            throw new MigrationException("The check is blocked: " + string.Join(" ", status.Blockers));
        }

        var pending = MigrationPlanner.PendingScripts(status, request.Set);
        if (pending.Any(s => s.Type == MigrationType.Repeatable))
        {
            notes.Add("Pending repeatable (R__) migrations are not part of the check: they have no undo.");
        }

        return [.. pending.Where(s => s.Type == MigrationType.Versioned)];
    }

    private CheckUnit Unit(ReversibilityRequest request, RegisteredTarget target, MigrationScript up)
    {
        var undo = request.Set.UndoFor(up.Version!);
        return new CheckUnit(
            Classified(request, target, up),
            undo is null ? null : Classified(request, target, undo));
    }

    private (MigrationScript Script, SqlBatch Batch, string? Refusal) Classified(ReversibilityRequest request, RegisteredTarget target, MigrationScript script)
    {
        var batch = parts.Classifier.Classify(script.Sql);
        var planned = planner.PlanScript(script, batch, request.Policy, target.Definition.Name, target.Definition.Environment, Lint.LintContext.Empty);
        var refusal = batch.Statements
            .Select(s =>
            {
                var p = planned.Statements.First(x => x.Index == s.Index);
                return ScratchSafety.Refusal(s, p.Decision, p.Reasons);
            })
            .FirstOrDefault(r => r is not null);
        return (script, batch, refusal is null ? null : $"{script.FileName}: {refusal}");
    }

    private static async Task<ReversibilityStep> CheckOneAsync(TargetSession session, CheckUnit unit, CancellationToken ct)
    {
        var (up, upBatch, upRefusal) = unit.Up;
        var version = up.Version!.Text;
        var undoFile = unit.Undo?.Script.FileName;
        var refusal = upRefusal ?? unit.Undo?.Refusal;
        if (refusal is not null)
        {
            return new ReversibilityStep(version, up.FileName, undoFile, ReversibilityVerdict.Refused, refusal, [], []);
        }

        var before = await SchemaShape.ReadAsync(session, ct);
        var first = await session.RunScriptAsync(upBatch, ct);
        if (first.Status != ExecutionStatus.Succeeded)
        {
            return Failed(version, up.FileName, undoFile, $"{up.FileName} failed on the scratch copy", first);
        }

        if (unit.Undo is not { } undo)
        {
            return new ReversibilityStep(version, up.FileName, null, ReversibilityVerdict.NoUndo,
                $"There is no U{version}__*.sql: version {version} cannot be undone.", [], []);
        }

        var applied = await SchemaShape.ReadAsync(session, ct);
        var undone = await session.RunScriptAsync(undo.Batch, ct);
        if (undone.Status != ExecutionStatus.Succeeded)
        {
            return Failed(version, up.FileName, undoFile, $"{undo.Script.FileName} failed after {up.FileName}", undone);
        }

        var restored = await SchemaShape.ReadAsync(session, ct);
        var undoDifferences = SchemaShape.Compare(before, restored);
        var second = await session.RunScriptAsync(upBatch, ct);
        if (second.Status != ExecutionStatus.Succeeded)
        {
            return Failed(version, up.FileName, undoFile, $"{up.FileName} failed when applied again after {undo.Script.FileName}", second, undoDifferences);
        }

        var redoDifferences = SchemaShape.Compare(applied, await SchemaShape.ReadAsync(session, ct));
        if (undoDifferences.Count == 0 && redoDifferences.Count == 0)
        {
            return new ReversibilityStep(version, up.FileName, undoFile, ReversibilityVerdict.Reversible,
                "Undo restored the schema and up rebuilt it identically.", [], []);
        }

        var message = new StringBuilder();
        if (undoDifferences.Count > 0)
        {
            message.Append(undoFile).Append(" does not restore the schema before ").Append(up.FileName)
                .Append(" (").Append(undoDifferences.Count).Append(" difference(s)). ");
        }

        if (redoDifferences.Count > 0)
        {
            message.Append(up.FileName).Append(" applied again after undo builds a different schema (")
                .Append(redoDifferences.Count).Append(" difference(s)).");
        }

        return new ReversibilityStep(version, up.FileName, undoFile, ReversibilityVerdict.NotReversible, message.ToString().Trim(), undoDifferences, redoDifferences);
    }

    private static ReversibilityStep Failed(string version, string upFile, string? undoFile, string what, ExecutionResult result, IReadOnlyList<SchemaDifference>? undoDifferences = null) =>
        new(version, upFile, undoFile, ReversibilityVerdict.Failed, $"{what}: {result.Error?.Message}", undoDifferences ?? [], [], result.Error);

    private static IEnumerable<string> Operations(SqlBatch batch) => batch.Statements.SelectMany(s => s.Operations);

    private static string AuditSql(IReadOnlyList<CheckUnit> units)
    {
        var sb = new StringBuilder("-- reversibility check on a scratch database: up, undo, up per version\n");
        foreach (var unit in units)
        {
            sb.Append("-- up ").Append(unit.Up.Script.FileName).Append('\n').Append(unit.Up.Script.Sql.TrimEnd()).Append('\n');
            if (unit.Undo is { } undo)
            {
                sb.Append("-- undo ").Append(undo.Script.FileName).Append('\n').Append(undo.Script.Sql.TrimEnd()).Append('\n');
            }
        }

        return sb.ToString();
    }

    private sealed record CheckUnit(
        (MigrationScript Script, SqlBatch Batch, string? Refusal) Up,
        (MigrationScript Script, SqlBatch Batch, string? Refusal)? Undo);
}

using Rose.Core.Migrations;
using Rose.Core.Migrations.Reversibility;

namespace Rose.Core.Undo;

/// <summary>What a drift check found: objects added, removed or changed on the target outside its migrations.</summary>
/// <param name="Differences">Missing = built by the migrations but gone from the target; Unexpected = on the target only; Changed = defined differently.</param>
public sealed record DriftReport(string Database, string? AppliedVersion, int Replayed, IReadOnlyList<SchemaDifference> Differences,
    IReadOnlyList<string> Notes, long AuditId)
{
    public bool HasDrift => Differences.Count > 0;
}

/// <summary>
/// Drift detection: replays the target's applied migrations, in order, on an empty scratch database,
/// and compares that schema with the target's live one (SchemaShape: tables, columns, constraints,
/// indexes, views, functions...). Rose's own rose_backup schema and history table never count. The
/// target is only read; the check is audited on the target's name.
/// </summary>
public sealed class SchemaDrift
{
    private readonly MigrationPlanner planner;
    private readonly MigrationSources sources;
    private readonly ISqlClassifier classifier;
    private readonly SqlExecutor executor;
    private readonly AuditedRuns runs;
    private readonly IOptions<RoseOptions> options;
    private readonly SchemaBaseline baseline;

    /// <summary>Internal: it takes Execution's internal parts; hosts get the service from DI.</summary>
    internal SchemaDrift(MigrationPlanner planner, MigrationSources sources, ISqlClassifier classifier, SqlExecutor executor, AuditedRuns runs,
        IOptions<RoseOptions> options, SchemaBaseline baseline)
    {
        this.baseline = baseline;
        this.planner = planner;
        this.sources = sources;
        this.classifier = classifier;
        this.executor = executor;
        this.runs = runs;
        this.options = options;
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public Task<DriftReport> CheckAsync(string database, IReadOnlyList<(string Name, string Sql)>? files, Actor who, SqlPolicy policy, CancellationToken ct) =>
        DatabaseErrors.TranslateAsync(() => CheckUntranslatedAsync(database, files, who, policy, ct));

    private async Task<DriftReport> CheckUntranslatedAsync(string database, IReadOnlyList<(string Name, string Sql)>? files, Actor who, SqlPolicy policy, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(who);
        ArgumentNullException.ThrowIfNull(policy);
        var target = planner.Target(database);
        var set = await sources.ResolveAsync(database, files, ct);
        return await CheckAsync(target, set, who, (script, batch) =>
        {
            var planned = planner.PlanScript(script, batch, policy, target.Definition.Name, target.Definition.Environment, Migrations.Lint.LintContext.Empty);
            return batch.Statements
                .Select(s => planned.Statements.First(p => p.Index == s.Index) is var p ? ScratchSafety.Refusal(s, p.Decision, p.Reasons) : null)
                .FirstOrDefault(r => r is not null);
        }, ct);
    }

    /// <summary>
    /// Drift for a validation run: the target's configured migrations folder, replayed without a caller's
    /// policy (they were checked when they were applied) but never beyond the one scratch database.
    /// Null when there is nothing to compare: no folder configured, or no migration applied yet.
    /// </summary>
    internal Task<DriftReport?> CheckForValidationAsync(string database, Actor who, CancellationToken ct) => DatabaseErrors.TranslateAsync(async () =>
    {
        var target = planner.Target(database);
        if (string.IsNullOrWhiteSpace(target.Definition.MigrationsPath))
        {
            return null;
        }

        var set = await sources.ResolveAsync(database, null, ct);
        var status = await planner.StatusAsync(database, set, ct);
        if (!status.Entries.Any(e => e.State is MigrationState.Applied or MigrationState.Drift))
        {
            return null;
        }

        return (DriftReport?)await CheckAsync(target, set, who, (_, batch) => batch.Statements
            .Select(s => ScratchSafety.Refusal(s, Decision.Approval, []))
            .FirstOrDefault(r => r is not null), ct);
    });

    private async Task<DriftReport> CheckAsync(RegisteredTarget target, MigrationSet set, Actor who, Func<MigrationScript, SqlBatch, string?> refusalOf, CancellationToken ct)
    {
        var database = target.Definition.Name;
        var status = await planner.StatusAsync(database, set, ct);
        if (status.Entries.FirstOrDefault(e => e.State == MigrationState.Missing) is { } missing)
        {
            throw new MigrationException($"Version {missing.Version} ({missing.Description}) is applied on {database} but no file for it was found, so its schema cannot be replayed.");
        }

        // With a baseline, the scratch database starts from it and only what was installed after it is replayed.
        var start = await baseline.ReadAsync(target, ct);
        var applied = status.Entries
            .Where(e => e.State is MigrationState.Applied or MigrationState.Drift && e.FileName is not null)
            .Where(e => start is null || e.InstalledOn > start.TakenAt)
            .Select(e => set.Scripts.First(s => s.FileName == e.FileName))
            .ToList();
        var batches = applied.Select(s => (Script: s, Batch: classifier.Classify(s.Sql))).ToList();
        foreach (var (script, batch) in batches)
        {
            var refusal = refusalOf(script, batch);
            if (refusal is not null)
            {
                throw new MigrationException($"{script.FileName} is not replayed on a scratch database: {refusal}");
            }
        }

        var attempt = new AuditAttempt(who, Channel.Migration, target.Definition.Name, "drift check",
            "-- drift check: replay the applied migrations on a scratch database and compare its schema with the target's\n"
            + string.Join("\n", applied.Select(s => "-- " + s.FileName)),
            ["SELECT"], Decision.Allow, ["reads the target's catalog; the migrations run on a scratch database"]);
        var notes = new List<string>();
        var (auditId, differences) = await runs.RunAsync(attempt, _ => CompareAsync(target, start, batches, applied.Count, notes, ct),
            found => new AuditOutcome(AuditStatus.Succeeded,
                ErrorMessage: found.Count == 0 ? null : $"{found.Count} object(s) drifted from the migrations",
                StatementsJson: DifferencesJson(found)),
            ct,
            failed: ex => new AuditOutcome(AuditStatus.Failed,
                ErrorMessage: ex is OperationCanceledException ? "The drift check was cancelled." : ex.Message,
                StatementsJson: DifferencesJson([])));

        return new DriftReport(target.Definition.Name, status.CurrentVersion, applied.Count, differences, notes, auditId);
    }

    /// <summary>Replays the applied migrations on a scratch database and compares its schema with the target's.</summary>
    private async Task<IReadOnlyList<SchemaDifference>> CompareAsync(RegisteredTarget target, BaselineDump? start, IReadOnlyList<(MigrationScript Script, SqlBatch Batch)> batches,
        int applied, List<string> notes, CancellationToken ct)
    {
        var limits = new ExecutionLimits(0, TimeSpan.FromSeconds(options.Value.Migrations.StatementTimeoutSeconds), target.Definition.LockTimeout);
        await using var scratch = await ScratchDatabase.CreateAsync(target, options.Value.Migrations, ct);
        if (start is not null)
        {
            await RestoreBaselineAsync(scratch, start, ct);
        }

        SchemaShape expected;
        await using (var session = await executor.OpenSessionAsync(scratch.Target, limits, ct))
        {
            foreach (var (script, batch) in batches)
            {
                var result = await ReplayAsync(session, batch, ct);
                if (result.Status != ExecutionStatus.Succeeded)
                {
                    throw new MigrationException($"{script.FileName} failed when replayed on a scratch database: {result.Error?.Message}");
                }
            }

            expected = await SchemaShape.ReadAsync(session, ct);
        }

        IReadOnlyList<SchemaDifference> differences;
        await using (var live = await executor.OpenSessionAsync(target, limits, ct))
        {
            differences = SchemaShape.Compare(expected, await SchemaShape.ReadAsync(live, ct));
        }

        notes.Add($"Replayed {applied} applied migration(s) on scratch database {scratch.Name} (dropped afterwards).");
        if (start is not null)
        {
            notes.Add($"Compared from the baseline recorded {start.TakenAt:u} (the schema before Rose's first migration run): objects that existed then are not drift.");
        }
        else if (applied == 0)
        {
            notes.Add("No migration is applied yet and no baseline is recorded: every object on the target counts as added outside migrations until the first apply records one.");
        }
        else
        {
            notes.Add("No baseline is recorded (the migrations were applied before Rose recorded baselines): objects created before the first migration count as added.");
        }

        return differences;
    }

    private static string DifferencesJson(IReadOnlyList<SchemaDifference> differences) =>
        JsonSerializer.Serialize(differences.Select(d => new { change = d.Change.ToString(), d.Kind, d.Name }), Json);

    private async Task RestoreBaselineAsync(ScratchDatabase scratch, BaselineDump start, CancellationToken ct)
    {
        var file = Path.Combine(Path.GetTempPath(), scratch.Name + "_baseline.dump");
        try
        {
            await File.WriteAllBytesAsync(file, start.Dump, ct);
            await scratch.RestoreFileAsync(file, options.Value.Migrations.PgDumpPath, ct);
        }
        catch (TargetToolException ex)
        {
            throw new MigrationException(ex.Message);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>A migration the way apply runs it: in one transaction, or statement by statement when PostgreSQL forbids one.</summary>
    private static async Task<ExecutionResult> ReplayAsync(TargetSession session, SqlBatch batch, CancellationToken ct)
    {
        var inTransaction = !batch.Statements.Any(s => s.NoTransaction);
        if (!inTransaction)
        {
            foreach (var statement in batch.Statements)
            {
                var alone = await session.RunStatementsAsync(batch, [statement], ct);
                if (alone.Status != ExecutionStatus.Succeeded)
                {
                    return alone;
                }
            }

            return new ExecutionResult { Status = ExecutionStatus.Succeeded };
        }

        await session.BeginAsync(ct);
        var result = await session.RunStatementsAsync(batch, ct);
        if (result.Status == ExecutionStatus.Succeeded)
        {
            await session.CommitAsync(ct);
        }
        else
        {
            await session.RollbackAsync();
        }

        return result;
    }
}

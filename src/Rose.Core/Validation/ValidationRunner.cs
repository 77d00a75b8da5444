using System.Diagnostics;
using Rose.Core.Validation.SchemaLint;
using Rose.Core.Validation.Storage;

namespace Rose.Core.Validation;

/// <summary>
/// One validation run of one database: read the catalog, run the built-in and accepted data checks
/// and the schema audit (all through the pipeline, channel validation), store and return the report.
/// </summary>
public sealed class ValidationRunner(
    TargetReader reader,
    ISqlClassifier classifier,
    ValidationCheckStore checks,
    ValidationRunStore runs,
    ValidationResultStore results,
    ValidationFindingStore findings,
    IOptions<ValidationOptions> options,
    ILogger<ValidationRunner> logger,
    TimeProvider time,
    Undo.SchemaDrift drift)
{
    public Task<ValidationReport> RunAsync(string database, Actor executor, CancellationToken ct) =>
        RunAsync(database, executor, null, ct);

    /// <param name="progress">Optional: the run's steps as they begin (see <see cref="ValidationProgress"/>); reported on the run's own thread.</param>
    public Task<ValidationReport> RunAsync(string database, Actor executor, IProgress<ValidationProgress>? progress, CancellationToken ct) =>
        DatabaseErrors.TranslateAsync(() => RunUntranslatedAsync(database, executor, progress, ct));

    private async Task<ValidationReport> RunUntranslatedAsync(string database, Actor executor, IProgress<ValidationProgress>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(executor);
        var runId = await runs.StartAsync(database, executor.Id, ct);
        return await ExecuteAsync(runId, database, executor, progress, ct);
    }

    /// <summary>A scheduled run, or null when another instance already claimed this slot (and its run is alive or done).</summary>
    public async Task<ValidationReport?> RunScheduledAsync(string database, DateTimeOffset slot, CancellationToken ct)
    {
        var executor = Actor.System("validation");
        var runId = await runs.ClaimSlotAsync(database, slot, executor.Id, ct);
        return runId is { } id ? await ExecuteAsync(id, database, executor, null, ct) : null;
    }

    /// <summary>The checks a run performs: built-ins derived from the catalog, overridden by accepted checks with the same key.</summary>
    public static IReadOnlyList<CheckDefinition> Plan(TargetCatalog catalog, IEnumerable<CheckDefinition> accepted)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var plan = new Dictionary<string, CheckDefinition>(StringComparer.Ordinal);
        foreach (var table in catalog.Tables)
        {
            var count = new CheckDefinition { Kind = CheckKinds.RowCount, Schema = table.Schema, Table = table.Name };
            plan[count.Key] = count;
        }

        // A validated foreign key is enforced by PostgreSQL; a NOT VALID one never checked the rows it found.
        foreach (var fk in catalog.ForeignKeys.Where(f => !f.Validated))
        {
            var orphans = new CheckDefinition
            {
                Kind = CheckKinds.Orphans, Schema = fk.Schema, Table = fk.Table, Columns = fk.Columns,
                RefSchema = fk.RefSchema, RefTable = fk.RefTable, RefColumns = fk.RefColumns,
            };
            plan[orphans.Key] = orphans;
        }

        foreach (var check in accepted)
        {
            plan[check.Key] = check;
        }

        return [.. plan.Values];
    }

    private async Task<ValidationReport> ExecuteAsync(long runId, string database, Actor executor, IProgress<ValidationProgress>? sink, CancellationToken ct)
    {
        var started = time.GetUtcNow();
        var watch = Stopwatch.StartNew();
        var progress = new RunProgress(sink);
        await using var heartbeat = new RunHeartbeat(runs, runId, options.Value.HeartbeatInterval, time, logger);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct, heartbeat.Lost);
        timeout.CancelAfter(TimeSpan.FromSeconds(Math.Max(1, options.Value.RunTimeoutSeconds)));
        var errors = new List<string>();
        List<CheckResult> checkResults = [];
        List<SchemaFinding> auditFindings = [];
        var status = RunStatus.Completed;
        try
        {
            progress.Step(ValidationProgress.Catalog, $"reading the catalog of {database}");
            var catalog = await TargetCatalog.LoadAsync(reader, executor, database, timeout.Token);
            var accepted = await AcceptedChecksAsync(database, catalog, executor, timeout.Token);
            var previous = await results.PreviousObservedAsync(database, runId, timeout.Token);
            var plan = Plan(catalog, accepted);
            // catalog + per-table checks and assertions + audit + storing the results
            progress.Plan(1 + DataCheckEngine.Steps(plan, catalog) + 1 + 1);
            var engine = new DataCheckEngine(reader, classifier, executor, database, previous, started);
            checkResults = await engine.RunAsync(plan, catalog, progress.Step, timeout.Token);
            // The pipeline answers a cancelled read with a "cancelled" outcome rather than an exception:
            // check here, or a timed-out or abandoned run would be stored as if it had completed.
            timeout.Token.ThrowIfCancellationRequested();
            progress.Step(ValidationProgress.Audit, $"schema audit ({SchemaLintRules.All.Count} rules)");
            (auditFindings, var auditErrors) = await SchemaLinter.RunAsync(reader, executor, database, SchemaLintRules.All, timeout.Token);
            timeout.Token.ThrowIfCancellationRequested();
            errors.AddRange(auditErrors);
            var (driftFindings, driftError) = await DriftFindings.RunAsync(drift, database, executor, timeout.Token);
            timeout.Token.ThrowIfCancellationRequested();
            auditFindings.AddRange(driftFindings);
            if (driftError is not null)
            {
                errors.Add(driftError);
            }
        }
        catch (ValidationException ex) when (!heartbeat.IsLost)
        {
            status = RunStatus.Error;
            errors.Add(ex.Message);
        }
        catch (Exception ex) when (heartbeat.IsLost && !ct.IsCancellationRequested && ex is OperationCanceledException or ValidationException)
        {
            status = RunStatus.Abandoned;
            errors.Add($"the run stalled past Rose:Validation:AbandonAfterSeconds ({options.Value.AbandonAfterSeconds} s) and was marked abandoned; it stopped so its slot is not run twice");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            status = RunStatus.Error;
            errors.Add($"the run took longer than {options.Value.RunTimeoutSeconds} s (Rose:Validation:RunTimeoutSeconds)");
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await TryFinishAsync(runId, RunStatus.Error, null, "cancelled by the caller");
            throw;
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or TimeoutException or Rose.Core.Audit.AuditUnavailableException)
        {
            // Close the run as an error rather than leave it to the sweep, which would call it a crash.
            await TryFinishAsync(runId, RunStatus.Error, null, ex.Message);
            throw;
        }

        checkResults.Sort((a, b) => CheckStatus.Rank(a.Status) != CheckStatus.Rank(b.Status)
            ? CheckStatus.Rank(a.Status).CompareTo(CheckStatus.Rank(b.Status))
            : string.CompareOrdinal(a.Table + a.Key, b.Table + b.Key));
        var summary = ValidationSummary.Of(checkResults, auditFindings.Count);

        if (status == RunStatus.Abandoned)
        {
            // The sweep closed the row and the slot may be someone else's now: add nothing to it.
            progress.Finish("abandoned");
            logger.LogWarning("Validation run {RunId} of {Database} was abandoned under it and stopped", runId, database);
            return new ValidationReport(runId, database, started, watch.Elapsed.TotalMilliseconds, status, summary, checkResults, auditFindings, errors);
        }

        // The run is recorded whatever happened, even if the caller went away meanwhile.
        progress.Step(ValidationProgress.Store, "storing the results");
        await results.AddAsync(runId, checkResults, CancellationToken.None);
        await findings.AddAsync(runId, auditFindings, CancellationToken.None);
        if (!await runs.FinishAsync(runId, status, JsonSerializer.Serialize(summary), errors.Count == 0 ? null : string.Join("\n", errors), CancellationToken.None))
        {
            // Abandoned between the last beat and the end: the results are kept, the sweep's status stands.
            status = RunStatus.Abandoned;
            errors.Add("the run was marked abandoned just before it finished (Rose:Validation:AbandonAfterSeconds)");
        }

        progress.Finish($"{summary.Fail} failing, {summary.Warn} warnings, {summary.Error} errors, {summary.Findings} audit findings");
        logger.LogInformation("Validation run {RunId} of {Database}: {Status}, {Fail} failing, {Findings} audit findings",
            runId, database, status, summary.Fail, summary.Findings);
        return new ValidationReport(runId, database, started, watch.Elapsed.TotalMilliseconds, status, summary, checkResults, auditFindings, errors);
    }

    /// <summary>The database's enabled checks; on its first run (no stored check at all) the suggestions are adopted first (see <see cref="FirstRunChecks"/>).</summary>
    private async Task<IReadOnlyList<CheckDefinition>> AcceptedChecksAsync(string database, TargetCatalog catalog, Actor executor, CancellationToken ct)
    {
        var stored = await checks.ListAsync(database, enabledOnly: false, ct);
        if (stored.Count == 0)
        {
            var adopted = FirstRunChecks.Select(CheckSuggester.Suggest(catalog));
            foreach (var check in adopted)
            {
                await checks.UpsertAsync(database, check, executor.Id, ct);
            }

            logger.LogInformation("First validation run of {Database}: adopted {Count} suggested checks", database, adopted.Count);
            return adopted;
        }

        return [.. stored.Where(c => c.Enabled).Select(c => c.Definition)];
    }

    private async Task TryFinishAsync(long runId, string status, string? summaryJson, string error)
    {
        try
        {
            await runs.FinishAsync(runId, status, summaryJson, error, CancellationToken.None);
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or TimeoutException)
        {
            // The control database is what failed: the sweep closes the run once its heartbeat is stale.
            logger.LogWarning(ex, "Could not record the failure of validation run {RunId}", runId);
        }
    }
}

using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rose.Core.Identity;
using Rose.Core.Sql;
using Rose.Core.Validation.Audit;
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
    TimeProvider time)
{
    public async Task<ValidationReport> RunAsync(string database, Executor executor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(executor);
        var runId = await runs.StartAsync(database, executor.Id, ct);
        return await ExecuteAsync(runId, database, executor, ct);
    }

    /// <summary>A scheduled run, or null when another instance already claimed this slot.</summary>
    public async Task<ValidationReport?> RunScheduledAsync(string database, DateTimeOffset slot, CancellationToken ct)
    {
        var executor = Executor.System("validation");
        var runId = await runs.ClaimSlotAsync(database, slot, executor.Id, ct);
        return runId is { } id ? await ExecuteAsync(id, database, executor, ct) : null;
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

    private async Task<ValidationReport> ExecuteAsync(long runId, string database, Executor executor, CancellationToken ct)
    {
        var started = time.GetUtcNow();
        var watch = Stopwatch.StartNew();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(Math.Max(1, options.Value.RunTimeoutSeconds)));
        var errors = new List<string>();
        List<CheckResult> checkResults = [];
        List<AuditFinding> auditFindings = [];
        var status = RunStatus.Completed;
        try
        {
            var catalog = await TargetCatalog.LoadAsync(reader, executor, database, timeout.Token);
            var accepted = (await checks.ListAsync(database, enabledOnly: true, timeout.Token)).Select(c => c.Definition);
            var previous = await results.PreviousObservedAsync(database, runId, timeout.Token);
            var engine = new DataCheckEngine(reader, classifier, executor, database, previous, started);
            checkResults = await engine.RunAsync(Plan(catalog, accepted), catalog, timeout.Token);
            (auditFindings, var auditErrors) = await SchemaAuditor.RunAsync(reader, executor, database, AuditRules.All, timeout.Token);
            errors.AddRange(auditErrors);
        }
        catch (ValidationException ex)
        {
            status = RunStatus.Error;
            errors.Add(ex.Message);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            status = RunStatus.Error;
            errors.Add($"the run took longer than {options.Value.RunTimeoutSeconds} s (Rose:Validation:RunTimeoutSeconds)");
        }

        checkResults.Sort((a, b) => CheckStatus.Rank(a.Status) != CheckStatus.Rank(b.Status)
            ? CheckStatus.Rank(a.Status).CompareTo(CheckStatus.Rank(b.Status))
            : string.CompareOrdinal(a.Table + a.Key, b.Table + b.Key));
        var summary = ValidationSummary.Of(checkResults, auditFindings.Count);

        // The run is recorded whatever happened, even if the caller went away meanwhile.
        await results.AddAsync(runId, checkResults, CancellationToken.None);
        await findings.AddAsync(runId, auditFindings, CancellationToken.None);
        await runs.FinishAsync(runId, status, JsonSerializer.Serialize(summary), errors.Count == 0 ? null : string.Join("\n", errors), CancellationToken.None);
        logger.LogInformation("Validation run {RunId} of {Database}: {Status}, {Fail} failing, {Findings} audit findings",
            runId, database, status, summary.Fail, summary.Findings);
        return new ValidationReport(runId, database, started, watch.Elapsed.TotalMilliseconds, status, summary, checkResults, auditFindings, errors);
    }
}

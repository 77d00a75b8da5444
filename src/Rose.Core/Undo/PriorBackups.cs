namespace Rose.Core.Undo;

/// <summary>What the pipeline does about a batch's prior backup.</summary>
/// <param name="Decision">The policy decision, made stricter when a promised backup cannot be derived.</param>
/// <param name="Plan">The backups to take while the batch runs (empty: none).</param>
/// <param name="Limited">False for an approved run: the approver accepted the cost, so MaxRows/MaxBytes do not apply.</param>
public sealed record PriorBackupGate(PolicyDecision Decision, BatchBackupPlan Plan, bool Limited)
{
    public bool TakesBackup => Plan.Statements.Count > 0;
}

/// <summary>
/// The pipeline's prior-backup step: decides from the target's mode (Rose:Targets:name:PriorBackup)
/// whether a batch is backed up, derives the backup from the parse tree, and turns a backup that
/// cannot be promised into a stricter decision (park or deny, Rose:PriorBackup:Fallback) instead of
/// running without it. After the run it records what was taken.
/// </summary>
public sealed class PriorBackups(PriorBackupStore store, IOptions<RoseOptions> options, ILogger<PriorBackups> logger)
{
    private PriorBackupOptions Settings => options.Value.PriorBackup;

    public PriorBackupGate Gate(TargetDefinition? target, SqlBatch batch, PolicyDecision decision, long? approvalId)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(decision);
        var none = new PriorBackupGate(decision, BatchBackupPlan.None, true);
        if (target is null || target.PriorBackup == PriorBackupMode.Off || decision.Decision == Decision.Deny)
        {
            return none;
        }

        var required = target.PriorBackup == PriorBackupMode.Always || approvalId is not null || decision.Decision == Decision.Approval;
        var plan = required ? PriorBackupPlanner.Plan(batch) : BatchBackupPlan.None;
        if (!plan.NeedsBackup)
        {
            return none;
        }

        if (plan.Unavailable is { } why)
        {
            // An approved run goes ahead without it: the approver was told there would be none.
            return approvalId is not null
                ? none
                : new PriorBackupGate(Escalate(decision, $"no prior backup can be taken ({why})"), BatchBackupPlan.None, true);
        }

        return new PriorBackupGate(decision, plan, Limited: approvalId is null);
    }

    /// <summary>The decision for a statement whose backup Rose will not take: park for a person, or deny (setting).</summary>
    public PolicyDecision Escalate(PolicyDecision decision, string reason)
    {
        ArgumentNullException.ThrowIfNull(decision);
        if (decision.Decision == Decision.Deny)
        {
            return decision;
        }

        var strictest = Settings.DenyWithoutBackup ? Decision.Deny : Decision.Approval;
        var text = Settings.DenyWithoutBackup
            ? $"{reason}; Rose:PriorBackup:Fallback is deny"
            : $"{reason}; a person must approve running it without one";
        return decision with { Decision = (Decision)Math.Max((int)decision.Decision, (int)strictest), Reasons = [.. decision.Reasons, text] };
    }

    /// <summary>The hook the executor calls before each statement, or null when nothing is backed up.</summary>
    internal PriorBackupRun? Start(PriorBackupGate gate) =>
        gate.TakesBackup ? new PriorBackupRun(gate.Plan, Settings, gate.Limited) : null;

    /// <summary>Records a committed run's backups. A failure here is logged: the backup tables exist and the audit row names them.</summary>
    internal async Task RecordAsync(long auditId, string database, PriorBackupRun? run, ExecutionResult result)
    {
        if (run is null || run.Taken.Count == 0 || result.Status != ExecutionStatus.Succeeded)
        {
            return;
        }

        try
        {
            await store.RecordAsync(auditId, database, run.Taken, TimeSpan.FromDays(Settings.RetentionDays), CancellationToken.None);
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or TimeoutException)
        {
            logger.LogError(ex, "Audit {AuditId}: the prior backups on {Database} were taken but could not be recorded", auditId, database);
        }
    }

    /// <summary>The backup tables per statement, for the audit row's statements.</summary>
    internal static IReadOnlyList<string>? TablesOf(PriorBackupRun? run, int statementIndex)
    {
        var tables = run?.Taken.Where(b => b.StatementIndex == statementIndex).Select(b => TakenBackup.Schema + "." + b.BackupTable).ToList();
        return tables is { Count: > 0 } ? tables : null;
    }
}

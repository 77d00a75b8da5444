namespace Rose.Core.Undo;

/// <summary>What rolling a change back would run, after checking that its rows are still as the change left them.</summary>
public sealed record RollbackPlan(long AuditId, string Database, string Sql, IReadOnlyList<PriorBackupRecord> Backups);

/// <summary>
/// "Roll back this change": builds the restoring SQL from a change's prior backups (newest statement
/// first), refuses with the rows when they changed since, and sends the SQL through the one pipeline
/// (classify, decide, audit, run or park) under the asking identity's own policy.
/// </summary>
public sealed class ChangeRollback
{
    private readonly AuditReader audit;
    private readonly PriorBackupStore store;
    private readonly TargetRegistry targets;
    private readonly SqlExecutor executor;
    private readonly ExecutionService execution;

    /// <summary>Internal: it takes Execution's internal parts; hosts get the service from DI.</summary>
    internal ChangeRollback(AuditReader audit, PriorBackupStore store, TargetRegistry targets, SqlExecutor executor, ExecutionService execution)
    {
        this.audit = audit;
        this.store = store;
        this.targets = targets;
        this.executor = executor;
        this.execution = execution;
    }

    /// <param name="policy">The asking identity's policy: a change on a database outside it is "not found", its rows never named.</param>
    public async Task<RollbackPlan> PlanAsync(long auditId, SqlPolicy policy, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var entry = await audit.GetAsync(auditId, ct);
        if (entry is null || !policy.AllowsDatabase(entry.Database))
        {
            throw new RollbackNotFoundException($"There is no change {auditId} on a database this identity may use.");
        }

        var backups = await store.ForAuditAsync(auditId, ct);
        if (backups.Count == 0)
        {
            throw new RollbackRefusedException(entry.Status == AuditStatus.Succeeded
                ? $"Change {auditId} has no prior backup (it changed no rows Rose backs up, or Rose:Targets:{entry.Database}:PriorBackup did not ask for one)."
                : $"Change {auditId} did not run ({entry.Status}): there is nothing to roll back.");
        }

        if (backups.FirstOrDefault(b => b.DroppedAt is not null) is { } dropped)
        {
            throw new RollbackRefusedException($"The prior backup of change {auditId} was dropped on {dropped.DroppedAt:u} (Rose:PriorBackup:RetentionDays).");
        }

        if (!targets.TryGet(entry.Database, out var target))
        {
            throw new RollbackRefusedException($"There is no target database named '{entry.Database}' any more.");
        }

        var ordered = backups.OrderByDescending(b => b.Backup.StatementIndex).ThenByDescending(b => b.Backup.Ordinal).ToList();
        var statements = new List<string>();
        foreach (var backup in ordered.Select(b => b.Backup))
        {
            if (RollbackSql.Refusal(backup) is { Length: > 0 } refusal)
            {
                throw new RollbackRefusedException($"Change {auditId} cannot be rolled back automatically: {refusal}.");
            }

            await CheckUnchangedAsync(target, backup, ct);
            statements.AddRange(RollbackSql.Restore(backup));
        }

        return new RollbackPlan(auditId, entry.Database, string.Join(";\n", statements) + ";", backups);
    }

    public async Task<ExecutionOutcome> RollbackAsync(long auditId, Actor executor, Channel channel, SqlPolicy policy, string reason, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(executor);
        ArgumentNullException.ThrowIfNull(policy);
        if (string.IsNullOrWhiteSpace(reason))
        {
            throw new ExecutionRequestException("reason is required: say why the change is rolled back.");
        }

        var plan = await PlanAsync(auditId, policy, ct);
        return await execution.ExecuteAsync(new ExecutionRequest(executor, channel, plan.Database, plan.Sql,
            $"Roll back change {auditId}: {reason.Trim()}", policy), null, ct);
    }

    private async Task CheckUnchangedAsync(RegisteredTarget target, TakenBackup backup, CancellationToken ct)
    {
        var present = await executor.ReadCatalogAsync(target,
            "SELECT to_regclass($1) IS NOT NULL, to_regclass($2) IS NOT NULL", [backup.BackupSql, backup.SourceSql], ct);
        if (present[0][0] is not true)
        {
            throw new RollbackRefusedException($"The backup table {backup.BackupSql} no longer exists on {target.Definition.Name}.");
        }

        var tableExists = present[0][1] is true;
        var source = $"{backup.SourceSchema}.{backup.SourceTable}";
        if (backup.Operation == "DROP TABLE")
        {
            if (tableExists)
            {
                throw new RollbackConflictException($"A table named {source} exists again: it was created after the DROP, so Rose will not replace it.", [source]);
            }

            return;
        }

        if (!tableExists)
        {
            throw new RollbackConflictException($"The table {source} no longer exists: it was dropped or renamed after the change.", [source]);
        }

        if (RollbackSql.ChangedRows(backup) is not { } check)
        {
            return;
        }

        var rows = await executor.ReadCatalogAsync(target, check, [], ct);
        if (rows.Count > 0)
        {
            var named = rows.Select(r => $"{source} " + string.Join(", ", backup.KeyColumns.Select((k, i) => $"{k}={r[i]}")) + $" ({r[^1]})").ToList();
            throw new RollbackConflictException(
                $"{(rows.Count >= RollbackSql.MaxNamedRows ? $"At least {rows.Count}" : rows.Count.ToString(System.Globalization.CultureInfo.InvariantCulture))} row(s) of {source} changed since the change: rolling back would overwrite them.",
                named);
        }
    }
}

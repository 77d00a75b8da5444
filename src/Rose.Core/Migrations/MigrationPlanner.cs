using Npgsql;
using Rose.Core.Migrations.Lint;

namespace Rose.Core.Migrations;

/// <summary>
/// Status and plan: reads the target's history and catalog through the executor's read-only
/// catalog reads, classifies every pending script with the real parser, asks the policy enforcer,
/// and lints. Nothing here writes.
/// </summary>
public sealed class MigrationPlanner(MigrationParts parts, PolicyEnforcer enforcer, TargetRegistry targets)
{
    public RegisteredTarget Target(string database) =>
        targets.TryGet(database, out var target) ? target : throw new MigrationException($"There is no target database named '{database}'.");

    public Task<MigrationStatusReport> StatusAsync(string database, MigrationSet set, CancellationToken ct) =>
        DatabaseErrors.TranslateAsync(() => ReadStatusAsync(database, set, ct));

    private async Task<MigrationStatusReport> ReadStatusAsync(string database, MigrationSet set, CancellationToken ct)
    {
        var target = Target(database);
        var history = await SchemaHistory.ReadAsync((sql, p, c) => parts.Executor.ReadCatalogAsync(target, sql, p, c), ct);
        return MigrationStatusCalculator.Compute(target.Definition.Name, set, history);
    }

    public Task<MigrationPlan> PlanAsync(string database, MigrationSet set, SqlPolicy policy, CancellationToken ct) =>
        DatabaseErrors.TranslateAsync(() => PlanUntranslatedAsync(database, set, policy, ct));

    private async Task<MigrationPlan> PlanUntranslatedAsync(string database, MigrationSet set, SqlPolicy policy, CancellationToken ct)
    {
        var status = await StatusAsync(database, set, ct);
        var pending = PendingScripts(status, set);
        var batches = pending.Select(s => (Script: s, Batch: parts.Classifier.Classify(s.Sql))).ToList();
        var context = await LintContextAsync(Target(database), batches.SelectMany(b => b.Batch.Statements), ct);
        return Plan(status, batches, policy, context);
    }

    /// <summary>The plan for the given status, from already classified scripts. Pure.</summary>
    public MigrationPlan Plan(MigrationStatusReport status, IReadOnlyList<(MigrationScript Script, SqlBatch Batch)> pending, SqlPolicy policy, LintContext context)
    {
        ArgumentNullException.ThrowIfNull(status);
        ArgumentNullException.ThrowIfNull(pending);
        var environment = targets.TryGet(status.Database, out var target) ? target.Definition.Environment : (TargetEnvironment?)null;
        var migrations = pending.Select(p => PlanScript(p.Script, p.Batch, policy, status.Database, environment, context)).ToList();
        var decision = migrations.Count == 0 ? Decision.Allow : migrations.Max(m => m.Decision);
        return new MigrationPlan(status.Database, status, migrations, decision, status.Blockers);
    }

    /// <summary>Versioned pending scripts in version order, then repeatables that are new or changed.</summary>
    public static IReadOnlyList<MigrationScript> PendingScripts(MigrationStatusReport status, MigrationSet set)
    {
        ArgumentNullException.ThrowIfNull(status);
        ArgumentNullException.ThrowIfNull(set);
        var pendingFiles = status.Pending.Select(e => e.FileName).ToHashSet(StringComparer.Ordinal);
        return [.. set.Versioned.Where(s => pendingFiles.Contains(s.FileName)), .. set.Repeatables.Where(s => pendingFiles.Contains(s.FileName))];
    }

    public PlannedMigration PlanScript(MigrationScript script, SqlBatch batch, SqlPolicy policy, string database, TargetEnvironment? environment, LintContext context)
    {
        ArgumentNullException.ThrowIfNull(script);
        ArgumentNullException.ThrowIfNull(batch);
        var decision = enforcer.Evaluate(policy, database, environment, batch);
        var reasons = decision.Reasons.ToList();
        var verdict = decision.Decision;

        // The executor refuses transaction control inside its own transaction; say so at plan time.
        if (batch.Statements.FirstOrDefault(s => s.TransactionControl) is { } tc)
        {
            verdict = Decision.Deny;
            reasons.Insert(0, $"statement {tc.Index + 1} ({tc.Tag}): a migration may not hold BEGIN/COMMIT/ROLLBACK; Rose runs each migration in its own transaction");
        }

        var statements = batch.Statements.Select(s =>
        {
            var d = decision.Statements.FirstOrDefault(x => x.Index == s.Index);
            return new PlannedStatement(s.Index, s.Tag, s.Kind, s.Operations, s.Objects, s.Destructive, s.NoTransaction,
                d?.Decision ?? Decision.Deny, d?.Reasons ?? [], s.Text, s.Error?.Message);
        }).ToList();
        var allOrNothing = !batch.Statements.Any(s => s.NoTransaction);
        return new PlannedMigration(script, batch, allOrNothing, verdict, reasons, statements, MigrationLinter.Lint(batch, context));
    }

    /// <summary>Statements whose objects are tables (so to_regclass can read every name).</summary>
    private static readonly HashSet<string> LintedRelationNodes =
        ["IndexStmt", "AlterTableStmt", "VacuumStmt", "ClusterStmt", "LockStmt", "TruncateStmt", "UpdateStmt", "DeleteStmt", "RenameStmt", "RefreshMatViewStmt"];

    /// <summary>Row estimates (pg_class.reltuples) of the relations the migration's statements name: lint reports each finding's table size.</summary>
    public async Task<LintContext> LintContextAsync(RegisteredTarget target, IEnumerable<SqlStatement> statements, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(target);
        var names = statements.Where(s => s.IsParsed && LintedRelationNodes.Contains(s.Node)).SelectMany(s => s.Objects).Distinct(StringComparer.Ordinal).ToArray();
        var estimates = new Dictionary<string, long>(StringComparer.Ordinal);
        if (names.Length > 0)
        {
            try
            {
                // reltuples is -1 until the table was first analysed; such a table counts as unknown, not small.
                var rows = await parts.Executor.ReadCatalogAsync(target,
                    "SELECT n, c.reltuples::bigint FROM unnest($1::text[]) AS n JOIN pg_class c ON c.oid = to_regclass(n) WHERE c.reltuples >= 0 ORDER BY n",
                    [names], ct);
                foreach (var row in rows)
                {
                    estimates[(string)row[0]!] = (long)row[1]!;
                }
            }
            catch (PostgresException)
            {
                // A name to_regclass cannot read: lint without estimates rather than fail the plan.
            }
        }

        return new LintContext(estimates, parts.Settings.BigTableRows);
    }
}

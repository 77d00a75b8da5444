using System.Text.Json.Nodes;

namespace Rose.Core.Approvals;

/// <summary>
/// The risk preview shown to approvers, computed when a request is parked: for data changes, the
/// rows each statement would affect (run in a rolled-back transaction, audited as such); for every
/// statement, the objects it touches with their size, row estimate, dependents and the lock taken.
/// </summary>
public sealed class ApprovalPreviewer
{
    private readonly SqlExecutor executor;
    private readonly AuditedRuns runs;
    private readonly ILogger<ApprovalPreviewer> logger;

    /// <summary>Internal: it takes Execution's internal parts; hosts get the service from DI.</summary>
    internal ApprovalPreviewer(SqlExecutor executor, AuditedRuns runs, ILogger<ApprovalPreviewer> logger)
    {
        this.executor = executor;
        this.runs = runs;
        this.logger = logger;
    }

    /// <summary>Previews must not hold an approver's request hostage: shorter limits than normal runs.</summary>
    private static readonly TimeSpan PreviewTimeout = TimeSpan.FromSeconds(5);

    private const string ObjectSql = """
        SELECT c.oid::regclass::text, c.relkind::text, c.reltuples::bigint, pg_total_relation_size(c.oid),
               pg_size_pretty(pg_total_relation_size(c.oid)),
               ARRAY(SELECT DISTINCT 'view ' || v.oid::regclass::text
                     FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid JOIN pg_class v ON v.oid = r.ev_class
                     WHERE d.classid = 'pg_rewrite'::regclass AND d.refobjid = c.oid AND v.oid <> c.oid)
               || ARRAY(SELECT 'foreign key ' || con.conname || ' on ' || con.conrelid::regclass::text
                        FROM pg_constraint con WHERE con.confrelid = c.oid AND con.contype = 'f' AND con.conrelid <> c.oid)
               || ARRAY(SELECT DISTINCT 'function ' || p.oid::regprocedure::text
                        FROM pg_depend d JOIN pg_proc p ON p.oid = d.objid
                        WHERE d.classid = 'pg_proc'::regclass AND d.refobjid = c.oid)
               || ARRAY(SELECT 'trigger ' || t.tgname FROM pg_trigger t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal)
        FROM pg_class c WHERE c.oid = to_regclass($1::text)
        """;

    public async Task<(string PreviewJson, string SnapshotJson)> ComputeAsync(long approvalId, RegisteredTarget target, SqlBatch batch, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(batch);
        var limits = new ExecutionLimits(0, Min(target.Definition.StatementTimeout, PreviewTimeout), Min(target.Definition.LockTimeout, TimeSpan.FromSeconds(2)));
        var statements = new JsonArray();
        var snapshot = new JsonObject();
        foreach (var statement in batch.Statements)
        {
            var item = new JsonObject
            {
                ["index"] = statement.Index,
                ["tag"] = statement.Tag,
                ["lock"] = LockLevels.For(statement.Tag, statement.Text.Contains("CONCURRENTLY", StringComparison.OrdinalIgnoreCase)),
            };
            if (statement.Kind == StatementKind.Dml && !statement.NoTransaction)
            {
                var (rows, error) = await DryRunAuditedAsync(approvalId, target, statement, limits, ct);
                item["rows_affected"] = rows;
                item["dry_run_error"] = error is null ? null : $"{error.SqlState}: {error.Message}";
            }

            var objects = new JsonArray();
            foreach (var name in statement.Objects.Distinct(StringComparer.Ordinal))
            {
                var described = await DescribeAsync(target, name, limits, ct);
                if (described is not null)
                {
                    objects.Add(described);
                    if (described["rows_estimate"] is JsonValue estimate)
                    {
                        snapshot[described["name"]!.GetValue<string>()] = estimate.GetValue<long>();
                    }
                }
                else
                {
                    objects.Add(new JsonObject { ["name"] = name, ["missing"] = true });
                }
            }

            item["objects"] = objects;
            statements.Add(item);
        }

        var preview = new JsonObject { ["computed_at"] = DateTimeOffset.UtcNow.ToString("O"), ["statements"] = statements };
        return (preview.ToJsonString(), snapshot.ToJsonString());
    }

    /// <summary>Warnings when a previewed object's row estimate moved a lot, or it disappeared, since the preview.</summary>
    public Task<IReadOnlyList<string>> ShapeChangesAsync(RegisteredTarget target, string? snapshotJson, CancellationToken ct) =>
        DatabaseErrors.TranslateAsync(() => ShapeChangesUntranslatedAsync(target, snapshotJson, ct));

    private async Task<IReadOnlyList<string>> ShapeChangesUntranslatedAsync(RegisteredTarget target, string? snapshotJson, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(snapshotJson) || JsonNode.Parse(snapshotJson) is not JsonObject snapshot)
        {
            return [];
        }

        var warnings = new List<string>();
        var limits = new ExecutionLimits(0, PreviewTimeout, TimeSpan.FromSeconds(2));
        foreach (var (name, value) in snapshot)
        {
            var then = value?.GetValue<long>() ?? 0;
            var now = await DescribeAsync(target, name, limits, ct);
            if (now is null)
            {
                warnings.Add($"{name} no longer exists.");
                continue;
            }

            if (now["rows_estimate"] is JsonValue v && v.GetValue<long>() is var rows && rows >= 0 && then >= 0)
            {
                var (low, high) = (Math.Min(rows, then), Math.Max(rows, then));
                if (high - low > 100 && high > 2 * Math.Max(low, 1))
                {
                    warnings.Add($"{name}: its row estimate moved from {then:N0} to {rows:N0} since the preview.");
                }
            }
        }

        return warnings;
    }

    private async Task<JsonObject?> DescribeAsync(RegisteredTarget target, string name, ExecutionLimits limits, CancellationToken ct)
    {
        try
        {
            var rows = await executor.ReadCatalogAsync(target, ObjectSql, [name], ct);
            if (rows.Count == 0)
            {
                return null;
            }

            var r = rows[0];
            var estimate = Convert.ToInt64(r[2], System.Globalization.CultureInfo.InvariantCulture);
            return new JsonObject
            {
                ["name"] = (string)r[0]!,
                ["kind"] = Kind((string)r[1]!),
                ["rows_estimate"] = estimate < 0 ? null : estimate,
                ["total_bytes"] = Convert.ToInt64(r[3], System.Globalization.CultureInfo.InvariantCulture),
                ["size"] = (string)r[4]!,
                ["dependents"] = new JsonArray(((string[])r[5]!).Select(d => (JsonNode?)JsonValue.Create(d)).ToArray()),
            };
        }
        catch (Npgsql.NpgsqlException ex)
        {
            _ = limits;
            logger.LogInformation(ex, "Preview could not describe {Object}", name);
            return null;
        }
    }

    private async Task<(long? Rows, SqlError? Error)> DryRunAuditedAsync(long approvalId, RegisteredTarget target, SqlStatement statement, ExecutionLimits limits, CancellationToken ct)
    {
        // The dry run really executes the statement (then rolls it back), so it is audited like any run.
        var (_, ran) = await runs.RunAsync(new AuditAttempt(Actor.System("preview"), Channel.Approval, target.Definition.Name,
                $"risk preview of approval request {approvalId} (rolled back)", statement.Text, statement.Operations, Decision.Allow,
                ["risk preview: run in a transaction that is always rolled back"], approvalId),
            _ => executor.DryRunAsync(target, statement, limits, ct),
            r => new AuditOutcome(r.Error is null ? AuditStatus.Succeeded : AuditStatus.Failed, r.RowsAffected,
                ErrorSqlState: r.Error?.SqlState, ErrorMessage: r.Error?.Message), ct);
        return (ran.RowsAffected, ran.Error);
    }

    private static string Kind(string relkind) => relkind switch
    {
        "r" => "table",
        "p" => "partitioned table",
        "v" => "view",
        "m" => "materialized view",
        "i" or "I" => "index",
        "S" => "sequence",
        "f" => "foreign table",
        _ => relkind,
    };

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}

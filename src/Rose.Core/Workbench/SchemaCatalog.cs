using System.Collections.Concurrent;

namespace Rose.Core.Workbench;

/// <summary>
/// Tables, views and columns of a target, read by running a catalog query through the pipeline as
/// the asking user (so it is policy-checked and audited like anything else), cached per target
/// for a few minutes so typing and browsing do not flood the audit log.
/// </summary>
public sealed class SchemaCatalog(ExecutionService execution, TimeProvider clock)
{
    /// <summary>The audit reason of catalog reads; the history panel hides entries with it.</summary>
    public const string Reason = "workbench schema browser";

    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(3);

    private const string CatalogSql = """
        SELECT n.nspname, c.relname,
               CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'f' THEN 'foreign table' ELSE 'table' END,
               a.attname, format_type(a.atttypid, a.atttypmod)
        FROM pg_catalog.pg_class c
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
          AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
        ORDER BY n.nspname, c.relname, a.attnum
        """;

    private readonly ConcurrentDictionary<string, SchemaInfo> cache = new(StringComparer.OrdinalIgnoreCase);

    public async Task<SchemaInfo> GetAsync(string target, Actor executor, SqlPolicy policy, bool refresh, CancellationToken ct)
    {
        // A cached copy is served only to someone the policy would let read the target now.
        var (_, decision) = execution.Preview(target, CatalogSql, policy);
        if (decision.Decision != Decision.Allow)
        {
            throw new InvalidOperationException("The schema browser is not allowed here: " + string.Join("; ", decision.Reasons));
        }

        if (!refresh && cache.TryGetValue(target, out var cached) && clock.GetUtcNow() - cached.FetchedAt < Lifetime)
        {
            return cached;
        }

        var outcome = await execution.ExecuteAsync(
            new ExecutionRequest(executor, Channel.Workbench, target, CatalogSql, Reason, policy, MaxRows: 20_000), null, ct);
        if (outcome.Status != OutcomeStatus.Succeeded || outcome.Result is not { Statements.Count: > 0 } result)
        {
            throw new InvalidOperationException(outcome.Result?.Error?.Message ?? "The catalog query did not run: " + string.Join("; ", outcome.Reasons));
        }

        var statement = result.Statements[0];
        var relations = statement.Rows
            .GroupBy(r => (Schema: r[0]!, Name: r[1]!, Kind: r[2]!))
            .Select(g => new SchemaRelation(g.Key.Schema, g.Key.Name, g.Key.Kind,
                [.. g.Where(r => r[3] is not null).Select(r => new SchemaColumn(r[3]!, r[4] ?? "?"))]))
            .ToList();
        var info = new SchemaInfo(target, relations, clock.GetUtcNow(), statement.Truncated);
        cache[target] = info;
        return info;
    }
}

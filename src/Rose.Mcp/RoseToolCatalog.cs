using System.ComponentModel;
using System.Text.Json;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Rose.Mcp;

/// <summary>
/// Rose's MCP tools, once for both transports. Each tool is a call of one API route through an
/// <see cref="IRoseToolBackend"/>, so a tool can do exactly what the route lets the agent do and
/// no more: there is deliberately no tool for keys, policies, approvals or agents (see
/// <see cref="AdminActionsNeverExposed"/>). Every result goes back inside an untrusted-data boundary.
/// </summary>
public static class RoseToolCatalog
{
    /// <summary>The tool names without a prefix, in catalog order.</summary>
    public static readonly IReadOnlyList<string> Names =
        ["sql_execute", "sql_migrate", "migration_check", "sql_logs", "devlog_list", "devlog_search", "devlog_create", "approval_status", "validation_run",
         "explain_query", "analyze_query_indexes", "analyze_workload_indexes", "db_health", "change_rollback"];

    /// <summary>Words no tool name may contain: the actions an agent must never take on itself.</summary>
    public static readonly IReadOnlyList<string> AdminActionsNeverExposed =
        ["key", "policy", "approve", "reject", "agent", "admin", "role", "disable"];

    /// <summary>Letters, digits, '_' and '-': what a tool-name prefix such as `janus_` may hold.</summary>
    public static bool IsValidPrefix(string prefix) =>
        prefix.Length <= 32 && prefix.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    /// <summary>
    /// The tools named <paramref name="prefix"/> + name; only those in <paramref name="allowed"/>
    /// (unprefixed names) when it is given.
    /// </summary>
    public static IReadOnlyList<McpServerTool> Create(IRoseToolBackend backend, string prefix, IReadOnlyCollection<string>? allowed = null)
    {
        ArgumentNullException.ThrowIfNull(backend);
        if (!IsValidPrefix(prefix))
        {
            throw new ArgumentException("A tool prefix may hold letters, digits, '_' and '-' only (at most 32).", nameof(prefix));
        }

        var tools = new List<McpServerTool>();
        void Tool(string name, string description, Delegate handler, bool readOnly, bool destructive = false, bool idempotent = false)
        {
            if (allowed is not null && !allowed.Contains(name, StringComparer.Ordinal))
            {
                return;
            }

            tools.Add(McpServerTool.Create(handler, new McpServerToolCreateOptions
            {
                Name = prefix + name,
                Description = description,
                ReadOnly = readOnly,
                Destructive = destructive,
                Idempotent = idempotent,
                // Rose talks only to its configured targets and control database.
                OpenWorld = false,
            }));
        }

        async Task<CallToolResult> Send(RequestContext<CallToolRequestParams> rq, string tool, HttpMethod method, string path, object? body, CancellationToken ct)
        {
            // Long tools (validation, migrations, what-if planning) keep a client that asked for progress informed until the answer.
            await using var heartbeat = ProgressHeartbeat.Start(rq, tool, ct);
            return UntrustedData.ToResult(await backend.SendAsync(tool, method, path, body, rq, ct));
        }

        Task<CallToolResult> Post(RequestContext<CallToolRequestParams> rq, string tool, string path, object body, CancellationToken ct) =>
            Send(rq, tool, HttpMethod.Post, path, body, ct);
        Task<CallToolResult> Get(RequestContext<CallToolRequestParams> rq, string tool, string path, CancellationToken ct) =>
            Send(rq, tool, HttpMethod.Get, path, null, ct);

        Tool("sql_execute",
            "Run SQL on a Rose target. Each statement is parsed and checked against your policy. Answers: 'succeeded' with rows; " +
            "'denied' with reasons (do not retry the same SQL); 'pending_approval' with approval_id: nothing ran yet, a human decides, " +
            $"poll {prefix}approval_status every 30-60 s until 'executed', 'rejected' or 'expired'; 'failed' with the SQLSTATE. Give a reason: it is audited.",
            (RequestContext<CallToolRequestParams> rq,
             [Description("Target database name, e.g. 'demo'.")] string database,
             [Description("The SQL: one or more statements.")] string sql,
             [Description("Why, for the audit log and approvers.")] string reason,
             [Description("Most rows per result set (capped by policy).")] int? max_rows = null,
             CancellationToken ct = default) =>
                // The MCP execute route: the server records an agent key's calls there on the mcp channel.
                Post(rq, "sql_execute", "/api/v1/mcp/sql/execute", new { database, sql, reason, max_rows }, ct),
            readOnly: false, destructive: true);
        Tool("sql_migrate",
            "Apply migrations to a target, all-or-nothing: `sql` or an ordered list of `migrations`. Destructive ones park for approval " +
            $"as one request (poll {prefix}approval_status). Try dry_run=true first.",
            (RequestContext<CallToolRequestParams> rq,
             [Description("Target database name.")] string database,
             [Description("Why, for the audit log and approvers.")] string reason,
             [Description("Migration SQL (instead of migrations).")] string? sql = null,
             [Description("Ordered [{\"name\": \"V2__add_index.sql\", \"sql\"}] (Flyway names; U<version>__ are undos) or [{\"version\", \"description\", \"sql\"}].")] JsonElement? migrations = null,
             [Description("Run in a transaction that is rolled back; report what happened.")] bool? dry_run = null,
             CancellationToken ct = default) =>
                Post(rq, "sql_migrate", "/api/v1/sql/migrate", new { database, sql, migrations, reason, dry_run }, ct),
            readOnly: false, destructive: true);
        Tool("migration_check",
            "Check that pending migrations can be undone, on a schema-only scratch copy (the target is not changed): apply, undo with " +
            "U<version>__, apply again, compare schemas. Per version: reversible, not_reversible (with differences), no_undo, failed or refused.",
            (RequestContext<CallToolRequestParams> rq,
             [Description("Target database name.")] string database,
             [Description("Migrations with their undos, [{\"name\": \"V2__x.sql\" | \"U2__x.sql\", \"sql\"}]; omitted = the target's folder.")] JsonElement? migrations = null,
             [Description("Check every version from an empty database.")] bool? from_empty = null,
             [Description("Why, for the audit log.")] string? reason = null,
             CancellationToken ct = default) =>
                Post(rq, "migration_check", $"/api/v1/migrations/{Uri.EscapeDataString(database)}/check", new { migrations, from_empty, reason }, ct),
            readOnly: true, idempotent: true);
        Tool("sql_logs",
            "Read the audit log (who ran what, where, why, outcome), newest first. Page with before = the last id seen.",
            (RequestContext<CallToolRequestParams> rq,
             [Description("How many (1-1000, default 50).")] int? limit = null,
             [Description("Only ids below this.")] long? before = null,
             [Description("Only this database.")] string? database = null,
             [Description("Only this executor id.")] string? executor = null,
             [Description("succeeded, failed, denied, pending_approval or cancelled.")] string? status = null,
             [Description("Text in the SQL or reason.")] string? q = null,
             CancellationToken ct = default) =>
                Get(rq, "sql_logs", "/api/v1/sql/logs" + Query(("limit", limit), ("before", before), ("database", database), ("executor", executor), ("status", status), ("q", q)), ct),
            readOnly: true, idempotent: true);
        Tool("devlog_list", "List devlogs, newest first, optionally by service, type or tag.",
            (RequestContext<CallToolRequestParams> rq,
             [Description("Only this service_id.")] string? service_id = null,
             [Description("Only this log_type.")] string? log_type = null,
             [Description("Only this tag.")] string? tag = null,
             [Description("How many (default 50).")] int? limit = null,
             CancellationToken ct = default) =>
                Get(rq, "devlog_list", "/api/v1/devlogs" + Query(("service_id", service_id), ("log_type", log_type), ("tag", tag), ("limit", limit)), ct),
            readOnly: true, idempotent: true);
        Tool("devlog_search", "Full-text search of devlog titles, content and tags, best first.",
            (RequestContext<CallToolRequestParams> rq, [Description("Words to find.")] string q, CancellationToken ct = default) =>
                Get(rq, "devlog_search", "/api/v1/devlogs/search" + Query(("q", q)), ct),
            readOnly: true, idempotent: true);
        Tool("devlog_create",
            "Record what you did and why as a devlog (markdown). Put intent, SQL and validation counts in metadata.",
            (RequestContext<CallToolRequestParams> rq,
             [Description("The service or system.")] string service_id,
             [Description("e.g. migration, fix, investigation.")] string log_type,
             [Description("One-line title.")] string title,
             [Description("Markdown body.")] string content,
             [Description("Tags.")] string[]? tags = null,
             [Description("{intent, sql, validation: {pre_count, post_count, verified}}.")] JsonElement? metadata = null,
             CancellationToken ct = default) =>
                Post(rq, "devlog_create", "/api/v1/devlogs", new { service_id, log_type, title, content, tags, metadata }, ct),
            readOnly: false);
        Tool("approval_status",
            "Status of an approval from sql_execute or sql_migrate: pending, executed (with result), failed, rejected (with comment) or expired.",
            (RequestContext<CallToolRequestParams> rq, [Description("The approval_id you were given.")] long approval_id, CancellationToken ct = default) =>
                Get(rq, "approval_status", $"/api/v1/approvals/{approval_id}", ct),
            readOnly: true, idempotent: true);
        Tool("validation_run", "Run the data checks and schema audit on a target; failing checks first.",
            (RequestContext<CallToolRequestParams> rq, [Description("Target database name.")] string database, CancellationToken ct = default) =>
                Post(rq, "validation_run", "/api/v1/validation/run", new { database }, ct),
            readOnly: false);
        Tool("explain_query",
            "EXPLAIN (ANALYZE, BUFFERS) one statement: per node time share, row misestimates, buffers. It runs the statement " +
            $"(a write is that write: your policy may deny it or park it, poll {prefix}approval_status); analyze=false only plans.",
            (RequestContext<CallToolRequestParams> rq,
             [Description("Target database name.")] string database,
             [Description("One statement, without EXPLAIN.")] string query,
             [Description("Run it (default true) or only plan it.")] bool? analyze = null,
             [Description("Why, for the audit log.")] string? reason = null,
             CancellationToken ct = default) =>
                Post(rq, "explain_query", $"/api/v1/advisor/{Uri.EscapeDataString(database)}/explain", new { query, analyze, reason }, ct),
            readOnly: false, destructive: true);
        Tool("analyze_query_indexes",
            "Recommend indexes for up to 50 statements, costed with hypopg (estimated_speedup = cost before / after; proven=false without hypopg). " +
            $"Nothing is created: send a create_index_sql through {prefix}sql_execute, where your policy decides.",
            (RequestContext<CallToolRequestParams> rq,
             [Description("Target database name.")] string database,
             [Description("Statements to analyse (SELECT, UPDATE or DELETE).")] string[] queries,
             CancellationToken ct = default) =>
                Post(rq, "analyze_query_indexes", $"/api/v1/advisor/{Uri.EscapeDataString(database)}/indexes", new { queries }, ct),
            readOnly: true, idempotent: true);
        Tool("analyze_workload_indexes", "Recommend indexes for the top pg_stat_statements entries by total time, costed like analyze_query_indexes.",
            (RequestContext<CallToolRequestParams> rq,
             [Description("Target database name.")] string database,
             [Description("How many top statements (1-100, default 10).")] int? top = null,
             CancellationToken ct = default) =>
                Post(rq, "analyze_workload_indexes", $"/api/v1/advisor/{Uri.EscapeDataString(database)}/indexes", new { workload = true, top = top ?? 10 }, ct),
            readOnly: true, idempotent: true);
        Tool("db_health",
            "Health checks (indexes, bloat, XID wraparound, sequences, cache hits, connections, long and idle-in-transaction sessions, lock waits, replication lag) with remediation_sql.",
            (RequestContext<CallToolRequestParams> rq, [Description("Target database name.")] string database, CancellationToken ct = default) =>
                Get(rq, "db_health", $"/api/v1/advisor/{Uri.EscapeDataString(database)}/health", ct),
            readOnly: true, idempotent: true);
        Tool("change_rollback",
            "Undo one of your changes (an UPDATE, DELETE, TRUNCATE or DROP TABLE) from the prior backup Rose took before it ran: give its audit_id " +
            $"(from {prefix}sql_execute or {prefix}sql_logs). The restoring SQL goes through your policy: 'succeeded', or 'pending_approval' " +
            $"(poll {prefix}approval_status). 'conflict' lists rows changed since: nothing was restored; do not retry blindly.",
            (RequestContext<CallToolRequestParams> rq,
             [Description("The audit_id of the change to undo.")] long audit_id,
             [Description("Why, for the audit log and approvers.")] string reason,
             CancellationToken ct = default) =>
                Post(rq, "change_rollback", $"/api/v1/changes/{audit_id}/rollback", new { reason }, ct),
            readOnly: false, destructive: true);
        return tools;
    }

    /// <summary>A query string from the non-empty values.</summary>
    public static string Query(params (string Name, object? Value)[] values)
    {
        var parts = values
            .Select(v => (v.Name, Text: v.Value switch
            {
                null => null,
                string s => s.Length == 0 ? null : s,
                IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
                _ => v.Value.ToString(),
            }))
            .Where(v => v.Text is not null)
            .Select(v => Uri.EscapeDataString(v.Name) + "=" + Uri.EscapeDataString(v.Text!))
            .ToList();
        return parts.Count == 0 ? string.Empty : "?" + string.Join('&', parts);
    }
}

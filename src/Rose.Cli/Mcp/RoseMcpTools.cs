using System.ComponentModel;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Rose.Cli.Mcp;

/// <summary>
/// The MCP tools, each a thin call of the HTTP API. Names can carry a prefix (`janus_`) so an
/// existing agent configuration keeps its tool names. Descriptions tell the model what needs
/// approval and how to wait for it.
/// </summary>
public static class RoseMcpTools
{
    public static IReadOnlyList<McpServerTool> Create(RoseApiClient api, string prefix)
    {
        ArgumentNullException.ThrowIfNull(api);
        McpServerTool Tool(string name, string description, Delegate handler, bool readOnly, bool destructive = false) =>
            McpServerTool.Create(handler, new McpServerToolCreateOptions
            {
                Name = prefix + name,
                Description = description,
                ReadOnly = readOnly,
                Destructive = destructive,
            });

        return
        [
            Tool("sql_execute",
                "Run SQL on a Rose target database. Every statement is classified by PostgreSQL's parser and checked against your policy. " +
                "Answers: status 'succeeded' with rows; 'denied' (an RFC 9457 problem document: the outcome is its code) with reasons (do not retry the same SQL; change it or ask a human); " +
                "'pending_approval' with an approval_id when the policy needs a human (DROP, TRUNCATE, ALTER TABLE, ...): nothing has run yet, " +
                $"call {prefix}approval_status with that id until it is 'executed', 'rejected' or 'expired' (poll every 30-60 s; a human decides); " +
                "'failed' with the database error (SQLSTATE). Always give a reason: it is stored in the audit log.",
                async ([Description("Target database name, e.g. 'demo'.")] string database,
                       [Description("The SQL to run: one or more statements.")] string sql,
                       [Description("Why you are running this, for the audit log and approvers.")] string reason,
                       [Description("Most rows to return per result set (capped by your policy).")] int? max_rows = null,
                       CancellationToken ct = default) =>
                    Result(await api.PostAsync("/api/v1/mcp/sql/execute", new { database, sql, reason, max_rows }, ct)),
                readOnly: false, destructive: true),
            Tool("sql_migrate",
                "Apply schema migrations to a target, all-or-nothing: either `sql` or an ordered list of `migrations`. Destructive migrations park " +
                $"for human approval as one request (poll {prefix}approval_status). Use dry_run=true first to see what would happen.",
                async ([Description("Target database name.")] string database,
                       [Description("Why, for the audit log and approvers.")] string reason,
                       [Description("Migration SQL (when not using migrations).")] string? sql = null,
                       [Description("Ordered migrations, each {\"version\", \"description\", \"sql\"} or {\"name\": \"V2__add_index.sql\", \"sql\"} (Flyway names; U<version>__ files are undos).")] System.Text.Json.JsonElement? migrations = null,
                       [Description("Apply inside a transaction that is rolled back and report what happened.")] bool? dry_run = null,
                       CancellationToken ct = default) =>
                    Result(await api.PostAsync("/api/v1/sql/migrate", new { database, sql, migrations, reason, dry_run }, ct)),
                readOnly: false, destructive: true),
            Tool("migration_check",
                "Check that migrations can be undone before applying them: on a scratch database (a schema-only copy of the target; " +
                "the target is not changed) each pending version is applied, undone with its U<version>__ file and applied again, and the " +
                "schemas are compared. Answers ok and, per version, 'reversible', 'not_reversible' (with each schema difference), 'no_undo', " +
                "'failed' (with the database error) or 'refused'.",
                async ([Description("Target database name.")] string database,
                       [Description("Ordered migrations including their undos, each {\"name\": \"V2__x.sql\" | \"U2__x.sql\", \"sql\"}; omitted = the target's folder.")] System.Text.Json.JsonElement? migrations = null,
                       [Description("Check every versioned migration from an empty database instead of the pending ones.")] bool? from_empty = null,
                       [Description("Why, for the audit log.")] string? reason = null,
                       CancellationToken ct = default) =>
                    Result(await api.PostAsync($"/api/v1/migrations/{Uri.EscapeDataString(database)}/check", new { migrations, from_empty, reason }, ct)),
                readOnly: true),
            Tool("sql_logs",
                "Read the audit log: who ran what, where, why and what happened, newest first. Page with `before` = the last id you saw.",
                async ([Description("How many entries (1-1000, default 50).")] int? limit = null,
                       [Description("Only entries with an id below this (keyset paging).")] long? before = null,
                       [Description("Only this database.")] string? database = null,
                       [Description("Only this executor id.")] string? executor = null,
                       [Description("Only this status: succeeded, failed, denied, pending_approval, cancelled.")] string? status = null,
                       [Description("Text to find in the SQL or the reason.")] string? q = null,
                       CancellationToken ct = default) =>
                    Result(await api.GetAsync("/api/v1/sql/logs" + RoseApiClient.Query(("limit", limit), ("before", before), ("database", database),
                        ("executor", executor), ("status", status), ("q", q)), ct)),
                readOnly: true),
            Tool("devlog_list", "List structured devlogs (newest first), optionally filtered by service, type or tag.",
                async ([Description("Only this service_id.")] string? service_id = null,
                       [Description("Only this log_type.")] string? log_type = null,
                       [Description("Only devlogs with this tag.")] string? tag = null,
                       [Description("How many (default 50).")] int? limit = null,
                       CancellationToken ct = default) =>
                    Result(await api.GetAsync("/api/v1/devlogs" + RoseApiClient.Query(("service_id", service_id), ("log_type", log_type), ("tag", tag), ("limit", limit)), ct)),
                readOnly: true),
            Tool("devlog_search", "Full-text search over devlog titles, content and tags, best matches first.",
                async ([Description("Words to search for.")] string q, CancellationToken ct = default) =>
                    Result(await api.GetAsync("/api/v1/devlogs/search" + RoseApiClient.Query(("q", q)), ct)),
                readOnly: true),
            Tool("devlog_create",
                "Record what you did and why as a structured devlog (markdown content). Put intent, the SQL and validation counts " +
                "(pre_count, post_count, verified) in metadata.",
                async ([Description("The service or system this is about.")] string service_id,
                       [Description("Kind of entry, e.g. 'migration', 'fix', 'investigation'.")] string log_type,
                       [Description("One-line title.")] string title,
                       [Description("Markdown body.")] string content,
                       [Description("Tags.")] string[]? tags = null,
                       [Description("Structured metadata: {intent, sql, validation: {pre_count, post_count, verified}}.")] System.Text.Json.JsonElement? metadata = null,
                       CancellationToken ct = default) =>
                    Result(await api.PostAsync("/api/v1/devlogs", new { service_id, log_type, title, content, tags, metadata }, ct)),
                readOnly: false),
            Tool("approval_status",
                "The status of an approval request from sql_execute or sql_migrate: pending, executed (with the result), failed, rejected (with the approver's comment) or expired.",
                async ([Description("The approval_id you were given.")] long approval_id, CancellationToken ct = default) =>
                    Result(await api.GetAsync($"/api/v1/approvals/{approval_id}", ct)),
                readOnly: true),
            Tool("validation_run", "Run the data validation checks and schema audit on a target and return the results (failing checks first).",
                async ([Description("Target database name.")] string database, CancellationToken ct = default) =>
                    Result(await api.PostAsync("/api/v1/validation/run", new { database }, ct)),
                readOnly: false),
            Tool("analyze_query_indexes",
                "Recommend indexes for up to 50 statements: candidates from their predicates, joins and sort keys, costed with hypopg " +
                "(estimated_speedup = planner cost before / after; null and proven=false when hypopg is missing). Nothing is created: " +
                $"to create one, send its create_index_sql through {prefix}sql_execute, where your policy and approvals decide.",
                async ([Description("Target database name.")] string database,
                       [Description("The statements to analyse (SELECT, UPDATE or DELETE).")] string[] queries, CancellationToken ct = default) =>
                    Result(await api.PostAsync($"/api/v1/advisor/{Uri.EscapeDataString(database)}/indexes", new { queries }, ct)),
                readOnly: true),
            Tool("analyze_workload_indexes",
                "Recommend indexes for the top statements of pg_stat_statements (by total time), costed with hypopg like analyze_query_indexes.",
                async ([Description("Target database name.")] string database,
                       [Description("How many top statements to analyse (1-100, default 10).")] int? top = null, CancellationToken ct = default) =>
                    Result(await api.PostAsync($"/api/v1/advisor/{Uri.EscapeDataString(database)}/indexes", new { workload = true, top = top ?? 10 }, ct)),
                readOnly: true),
            Tool("db_health",
                "Health checks of a database (invalid, unused and duplicate indexes, table bloat, XID wraparound, sequences, cache hit ratio, " +
                "connections, long-running and idle-in-transaction sessions, lock waits, replication lag), each with status, detail and remediation_sql.",
                async ([Description("Target database name.")] string database, CancellationToken ct = default) =>
                    Result(await api.GetAsync($"/api/v1/advisor/{Uri.EscapeDataString(database)}/health", ct)),
                readOnly: true),
        ];
    }

    /// <summary>The API's JSON goes back verbatim; anything but 2xx is flagged as an error result with its status.</summary>
    private static CallToolResult Result(ApiAnswer answer) => new()
    {
        IsError = !answer.IsSuccess,
        Content = [new TextContentBlock { Text = answer.IsSuccess ? answer.Body : $"HTTP {answer.Status}: {answer.Body}" }],
    };
}

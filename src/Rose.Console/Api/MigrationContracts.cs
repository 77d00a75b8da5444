using System.Text.Json.Serialization;

namespace Rose.Console.Api;

/// <summary>
/// A migration file sent by a client: its Flyway file name and text, or (as agents often describe a
/// migration) its version and description, from which the versioned file name is made.
/// </summary>
public sealed record MigrationFileDto(
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("sql")] string? Sql,
    [property: JsonPropertyName("version")] string? Version = null,
    [property: JsonPropertyName("description")] string? Description = null)
{
    /// <summary>The Flyway file name: <see cref="Name"/>, else V&lt;version&gt;__&lt;description&gt;.sql; naming rules are checked by the migration set.</summary>
    public string FileName =>
        !string.IsNullOrWhiteSpace(Name) ? Name
        : string.IsNullOrWhiteSpace(Version) ? string.Empty
        : $"V{Version.Trim()}__{(string.IsNullOrWhiteSpace(Description) ? "migration" : string.Join('_', Description.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)))}.sql";
}

/// <summary>POST /api/v1/sql/migrate body: either ad-hoc sql or the migration files (else the target's folder).</summary>
public sealed record MigrateRequest(
    [property: JsonPropertyName("database")] string? Database,
    [property: JsonPropertyName("sql")] string? Sql,
    [property: JsonPropertyName("migrations")] IReadOnlyList<MigrationFileDto>? Migrations,
    [property: JsonPropertyName("reason")] string? Reason,
    [property: JsonPropertyName("dry_run")] bool? DryRun,
    [property: JsonPropertyName("single_transaction")] bool? SingleTransaction);

/// <summary>Body of status, plan and verify: the files to compare (optional: the target's folder otherwise).</summary>
public sealed record MigrationFilesRequest(
    [property: JsonPropertyName("migrations")] IReadOnlyList<MigrationFileDto>? Migrations);

public sealed record UndoRequest(
    [property: JsonPropertyName("to_version")] string? ToVersion,
    [property: JsonPropertyName("migrations")] IReadOnlyList<MigrationFileDto>? Migrations,
    [property: JsonPropertyName("reason")] string? Reason);

public sealed record AppliedMigrationDto(
    [property: JsonPropertyName("file")] string File,
    [property: JsonPropertyName("version")] string? Version,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("succeeded")] bool Succeeded,
    [property: JsonPropertyName("all_or_nothing")] bool AllOrNothing,
    [property: JsonPropertyName("duration_ms")] double DurationMs,
    [property: JsonPropertyName("audit_id")] long? AuditId,
    [property: JsonPropertyName("pre_counts")] IReadOnlyDictionary<string, long> PreCounts,
    [property: JsonPropertyName("post_counts")] IReadOnlyDictionary<string, long> PostCounts,
    [property: JsonPropertyName("devlog_id")] long? DevlogId,
    [property: JsonPropertyName("error")] ErrorDto? Error);

/// <summary>Answer of migrate and undo: same statuses as /sql/execute.</summary>
public sealed record MigrateResponse
{
    [JsonPropertyName("status")] public required string Status { get; init; }
    [JsonPropertyName("database")] public string? Database { get; init; }
    [JsonPropertyName("dry_run")] public bool DryRun { get; init; }
    [JsonPropertyName("audit_id")] public long? AuditId { get; init; }
    [JsonPropertyName("approval_id")] public long? ApprovalId { get; init; }
    [JsonPropertyName("applied")] public IReadOnlyList<AppliedMigrationDto> Applied { get; init; } = [];
    [JsonPropertyName("reasons")] public IReadOnlyList<string>? Reasons { get; init; }
    [JsonPropertyName("error")] public ErrorDto? Error { get; init; }
    [JsonPropertyName("message")] public string? Message { get; init; }
    [JsonPropertyName("notes")] public IReadOnlyList<string>? Notes { get; init; }
    [JsonPropertyName("snapshot")] public string? Snapshot { get; init; }
}

public sealed record MigrationStatusEntryDto(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("version")] string? Version,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("file")] string? File,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("installed_on")] DateTimeOffset? InstalledOn,
    [property: JsonPropertyName("installed_by")] string? InstalledBy,
    [property: JsonPropertyName("execution_ms")] int? ExecutionMs,
    [property: JsonPropertyName("has_undo")] bool HasUndo);

public sealed record MigrationStatusResponse(
    [property: JsonPropertyName("database")] string Database,
    [property: JsonPropertyName("current_version")] string? CurrentVersion,
    [property: JsonPropertyName("ok")] bool Ok,
    [property: JsonPropertyName("entries")] IReadOnlyList<MigrationStatusEntryDto> Entries,
    [property: JsonPropertyName("problems")] IReadOnlyList<string> Problems);

public sealed record LintFindingDto(
    [property: JsonPropertyName("rule")] string Rule,
    [property: JsonPropertyName("severity")] string Severity,
    [property: JsonPropertyName("statement_index")] int? StatementIndex,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("hint")] string? Hint,
    [property: JsonPropertyName("lock")] string? Lock,
    [property: JsonPropertyName("impact")] string Impact,
    [property: JsonPropertyName("table")] string? Table,
    [property: JsonPropertyName("table_rows")] long? TableRows,
    [property: JsonPropertyName("line")] int? Line);

public sealed record PlannedStatementDto(
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("tag")] string Tag,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("operations")] IReadOnlyList<string> Operations,
    [property: JsonPropertyName("objects")] IReadOnlyList<string> Objects,
    [property: JsonPropertyName("destructive")] bool Destructive,
    [property: JsonPropertyName("no_transaction")] bool NoTransaction,
    [property: JsonPropertyName("decision")] string Decision,
    [property: JsonPropertyName("reasons")] IReadOnlyList<string> Reasons,
    [property: JsonPropertyName("sql")] string Sql);

public sealed record PlannedMigrationDto(
    [property: JsonPropertyName("file")] string File,
    [property: JsonPropertyName("version")] string? Version,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("all_or_nothing")] bool AllOrNothing,
    [property: JsonPropertyName("decision")] string Decision,
    [property: JsonPropertyName("reasons")] IReadOnlyList<string> Reasons,
    [property: JsonPropertyName("statements")] IReadOnlyList<PlannedStatementDto> Statements,
    [property: JsonPropertyName("lint")] IReadOnlyList<LintFindingDto> Lint);

public sealed record MigrationPlanResponse(
    [property: JsonPropertyName("database")] string Database,
    [property: JsonPropertyName("decision")] string Decision,
    [property: JsonPropertyName("blockers")] IReadOnlyList<string> Blockers,
    [property: JsonPropertyName("migrations")] IReadOnlyList<PlannedMigrationDto> Migrations);

public sealed record SnapshotDto(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("bytes")] long Bytes,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt);

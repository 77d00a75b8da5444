using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Rose.Console.Api;

/// <summary>POST /api/v1/sql/execute body.</summary>
public sealed record ExecuteSqlRequest(
    [property: JsonPropertyName("database")] string? Database,
    [property: JsonPropertyName("sql")] string? Sql,
    [property: JsonPropertyName("reason")] string? Reason,
    [property: JsonPropertyName("max_rows")] int? MaxRows);

public sealed record ColumnDto(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("type")] string Type);

public sealed record StatementDto(
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("tag")] string Tag,
    [property: JsonPropertyName("rows_affected")] long? RowsAffected,
    [property: JsonPropertyName("columns")] IReadOnlyList<ColumnDto> Columns,
    [property: JsonPropertyName("rows")] IReadOnlyList<JsonArray> Rows,
    [property: JsonPropertyName("truncated")] bool Truncated,
    [property: JsonPropertyName("row_count")] long RowCount,
    [property: JsonPropertyName("duration_ms")] double DurationMs,
    [property: JsonPropertyName("notices")] IReadOnlyList<string> Notices);

public sealed record ErrorDto(
    [property: JsonPropertyName("sqlstate")] string SqlState,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("detail")] string? Detail,
    [property: JsonPropertyName("hint")] string? Hint,
    [property: JsonPropertyName("position")] int? Position,
    [property: JsonPropertyName("statement_index")] int? StatementIndex);

/// <summary>Every answer of the SQL endpoints has this shape; fields that do not apply are omitted.</summary>
public sealed record ExecuteSqlResponse
{
    [JsonPropertyName("status")] public required string Status { get; init; }
    [JsonPropertyName("audit_id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? AuditId { get; init; }
    [JsonPropertyName("approval_id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? ApprovalId { get; init; }
    [JsonPropertyName("statements"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<StatementDto>? Statements { get; init; }
    [JsonPropertyName("reasons"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<string>? Reasons { get; init; }
    [JsonPropertyName("operations"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<string>? Operations { get; init; }
    [JsonPropertyName("error"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public ErrorDto? Error { get; init; }
    [JsonPropertyName("notes"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<string>? Notes { get; init; }
}

/// <summary>400 answers: what was wrong with the request.</summary>
public sealed record BadRequestResponse(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("error")] string Error);

using System.Text.Json.Serialization;
using Rose.Core.Migrations.Reversibility;

namespace Rose.Console.Api;

/// <summary>POST /api/v1/migrations/{database}/check body: the files (else the target's folder) and what to check.</summary>
public sealed record ReversibilityCheckRequest(
    [property: JsonPropertyName("migrations")] IReadOnlyList<MigrationFileDto>? Migrations,
    [property: JsonPropertyName("from_empty")] bool? FromEmpty,
    [property: JsonPropertyName("reason")] string? Reason);

public sealed record SchemaDifferenceDto(
    [property: JsonPropertyName("change")] string Change,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("expected")] string? Expected,
    [property: JsonPropertyName("actual")] string? Actual);

public sealed record ReversibilityStepDto(
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("file")] string File,
    [property: JsonPropertyName("undo_file")] string? UndoFile,
    [property: JsonPropertyName("verdict")] string Verdict,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("undo_differences")] IReadOnlyList<SchemaDifferenceDto> UndoDifferences,
    [property: JsonPropertyName("redo_differences")] IReadOnlyList<SchemaDifferenceDto> RedoDifferences,
    [property: JsonPropertyName("error")] ErrorDto? Error);

/// <summary>The check's answer: ok only when every checked version undoes and redoes to the same schema.</summary>
public sealed record ReversibilityResponse(
    [property: JsonPropertyName("database")] string Database,
    [property: JsonPropertyName("ok")] bool Ok,
    [property: JsonPropertyName("from_empty")] bool FromEmpty,
    [property: JsonPropertyName("audit_id")] long? AuditId,
    [property: JsonPropertyName("steps")] IReadOnlyList<ReversibilityStepDto> Steps,
    [property: JsonPropertyName("notes")] IReadOnlyList<string> Notes)
{
    public static ReversibilityResponse From(ReversibilityReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new(report.Database, report.Ok, report.FromEmpty, report.AuditId,
            [.. report.Steps.Select(s => new ReversibilityStepDto(s.Version, s.UpFile, s.UndoFile, VerdictName(s.Verdict), s.Message,
                Differences(s.UndoDifferences), Differences(s.RedoDifferences), MigrationDtos.Error(s.Error)))],
            report.Notes);
    }

    public static string VerdictName(ReversibilityVerdict verdict) => verdict switch
    {
        ReversibilityVerdict.Reversible => "reversible",
        ReversibilityVerdict.NotReversible => "not_reversible",
        ReversibilityVerdict.NoUndo => "no_undo",
        ReversibilityVerdict.Refused => "refused",
        _ => "failed",
    };

    private static List<SchemaDifferenceDto> Differences(IReadOnlyList<SchemaDifference> differences) =>
        [.. differences.Select(d => new SchemaDifferenceDto(d.Change.ToString().ToLowerInvariant(), d.Kind, d.Name, d.Expected, d.Actual))];
}

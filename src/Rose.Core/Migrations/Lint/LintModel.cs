using System.Text.Json;
using Rose.Core.Sql;

namespace Rose.Core.Migrations.Lint;

public enum LintSeverity
{
    Info,
    Warning,
    Error,
}

/// <summary>One finding: which rule, how bad, on which statement, and what to do instead.</summary>
public sealed record LintFinding(string Rule, LintSeverity Severity, int? StatementIndex, string Message, string? Hint = null);

/// <summary>A statement with its parse tree, as a rule sees it.</summary>
public sealed record LintStatement(SqlStatement Statement, string Node, JsonElement Body);

/// <summary>What rules know beyond the SQL: the target's catalog estimates and the configured thresholds.</summary>
/// <param name="RowEstimates">pg_class.reltuples by the relation name as written in the migration.</param>
/// <param name="BigTableRows">From this many (estimated) rows a table counts as big.</param>
public sealed record LintContext(IReadOnlyDictionary<string, long> RowEstimates, long BigTableRows)
{
    public static LintContext Empty { get; } = new(new Dictionary<string, long>(), 100_000);

    public long? EstimatedRows(string relation) => RowEstimates.TryGetValue(relation, out var n) ? n : null;
}

/// <summary>A lint rule: one per file, registered in <see cref="MigrationLinter"/>.</summary>
public interface IMigrationLintRule
{
    /// <summary>Stable id, kebab-case, in the style of squawk's rule names.</summary>
    string Id { get; }

    IEnumerable<LintFinding> Check(IReadOnlyList<LintStatement> migration, LintContext context);
}

/// <summary>Helpers for reading libpg_query trees.</summary>
internal static class LintTree
{
    public static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public static bool Flag(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;

    public static IEnumerable<JsonElement> Array(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array ? v.EnumerateArray() : [];

    /// <summary>"schema.table" or "table" of a RangeVar, as written.</summary>
    public static string? Relation(JsonElement body)
    {
        if (!body.TryGetProperty("relation", out var rel))
        {
            return null;
        }

        var name = Str(rel, "relname");
        var schema = Str(rel, "schemaname");
        return name is null ? null : schema is null ? name : $"{schema}.{name}";
    }

    /// <summary>The AlterTableCmd bodies of an ALTER TABLE.</summary>
    public static IEnumerable<JsonElement> AlterCommands(LintStatement s) =>
        s.Node == "AlterTableStmt"
            ? Array(s.Body, "cmds").Select(c => c.TryGetProperty("AlterTableCmd", out var cmd) ? cmd : default).Where(c => c.ValueKind == JsonValueKind.Object)
            : [];

    /// <summary>Constraint bodies of a ColumnDef.</summary>
    public static IEnumerable<JsonElement> ColumnConstraints(JsonElement columnDef) =>
        Array(columnDef, "constraints").Select(c => c.TryGetProperty("Constraint", out var con) ? con : default).Where(c => c.ValueKind == JsonValueKind.Object);

    public static JsonElement? ColumnDef(JsonElement alterCmd) =>
        alterCmd.TryGetProperty("def", out var def) && def.TryGetProperty("ColumnDef", out var col) ? col : null;

    /// <summary>Every function name called anywhere under an expression.</summary>
    public static IEnumerable<string> FunctionNames(JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject())
                {
                    if (p.Name == "FuncCall" && p.Value.TryGetProperty("funcname", out var names))
                    {
                        var last = names.EnumerateArray().LastOrDefault();
                        if (last.ValueKind == JsonValueKind.Object && last.TryGetProperty("String", out var s) && Str(s, "sval") is { } fn)
                        {
                            yield return fn.ToLowerInvariant();
                        }
                    }

                    foreach (var nested in FunctionNames(p.Value))
                    {
                        yield return nested;
                    }
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in e.EnumerateArray())
                {
                    foreach (var nested in FunctionNames(item))
                    {
                        yield return nested;
                    }
                }

                break;
        }
    }
}

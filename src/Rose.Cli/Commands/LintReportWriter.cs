using System.Text;
using Rose.Core.Migrations.Lint;

namespace Rose.Cli.Commands;

/// <summary>The output formats of `rose lint`: text for people, JSON for scripts, SARIF for code scanning, GitHub workflow annotations.</summary>
public static class LintReportWriter
{
    private static readonly JsonWriterOptions Indented = CliIo.WriterOptions with { Indented = true };

    public static void Write(TextWriter output, string format, IReadOnlyList<FileFinding> findings)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(findings);
        switch (format)
        {
            case "json":
                output.WriteLine(Json(w => WriteFindings(w, findings)));
                break;
            case "sarif":
                output.WriteLine(Json(w => WriteSarif(w, findings)));
                break;
            case "github":
                foreach (var f in findings)
                {
                    output.WriteLine($"::{GitHubLevel(f.Finding.Severity)} file={Property(f.File)},line={f.Finding.Line ?? 1},title={Property(f.Finding.Rule)}::{Data(Describe(f.Finding))}");
                }

                break;
            default:
                WriteText(output, findings);
                break;
        }
    }

    public static void WriteRules(TextWriter output, string format)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (format == "json")
        {
            output.WriteLine(Json(w =>
            {
                w.WriteStartArray();
                foreach (var rule in MigrationLinter.Rules)
                {
                    w.WriteStartObject();
                    w.WriteString("id", rule.Id);
                    w.WriteString("severity", Level(rule.Severity));
                    w.WriteString("description", rule.Description);
                    ClassifyCommand.WriteStrings(w, "squawk", rule.Squawk);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            }));
            return;
        }

        foreach (var rule in MigrationLinter.Rules)
        {
            var squawk = rule.Squawk.Count == 0 ? "(rose only)" : "squawk: " + string.Join(", ", rule.Squawk);
            output.WriteLine($"{rule.Id,-46} {Level(rule.Severity),-8} {rule.Description} [{squawk}]");
        }

        output.WriteLine($"{MigrationLinter.Rules.Count} rules");
    }

    private static string Level(LintSeverity s) => s.ToString().ToLowerInvariant();

    private static string Impact(TableImpact? impact) => (impact ?? TableImpact.None).ToString().ToLowerInvariant();

    /// <summary>Message plus lock, scan/rewrite and table size: what a reader needs to judge the risk.</summary>
    private static string Describe(LintFinding f)
    {
        var text = new StringBuilder(f.Message);
        text.Append($" Lock: {f.Lock ?? StatementLocks.None}");
        text.Append((f.Impact ?? TableImpact.None) switch
        {
            TableImpact.Rewrite => "; rewrites the table",
            TableImpact.Scan => "; scans the table",
            _ => "",
        });
        if (f.TableRows is { } rows)
        {
            text.Append($"; {f.Table} has about {rows:N0} rows");
        }

        text.Append('.');
        if (f.Hint is not null)
        {
            text.Append($" Instead: {f.Hint}");
        }

        return text.ToString();
    }

    private static void WriteText(TextWriter output, IReadOnlyList<FileFinding> findings)
    {
        foreach (var (file, f) in findings)
        {
            output.WriteLine($"{file}:{f.Line ?? 1}: {Level(f.Severity)} [{f.Rule}] {f.Message}");
            var impact = (f.Impact ?? TableImpact.None) == TableImpact.None ? "" : $", {Impact(f.Impact)}s the table";
            var rows = f.TableRows is { } n ? $", {f.Table} has about {n:N0} rows" : "";
            output.WriteLine($"    lock: {f.Lock ?? StatementLocks.None}{impact}{rows}");
            if (f.Hint is not null)
            {
                output.WriteLine($"    instead: {f.Hint}");
            }
        }

        var errors = findings.Count(f => f.Finding.Severity == LintSeverity.Error);
        var warnings = findings.Count(f => f.Finding.Severity == LintSeverity.Warning);
        var files = findings.Select(f => f.File).Distinct(StringComparer.Ordinal).Count();
        output.WriteLine($"{findings.Count} finding(s): {errors} error(s), {warnings} warning(s), {findings.Count - errors - warnings} info, in {files} file(s)");
    }

    /// <summary>The documented keys first (file, line, rule, severity, message, lock), then the details.</summary>
    private static void WriteFindings(Utf8JsonWriter w, IReadOnlyList<FileFinding> findings)
    {
        w.WriteStartArray();
        foreach (var (file, f) in findings)
        {
            w.WriteStartObject();
            w.WriteString("file", file);
            w.WriteNumber("line", f.Line ?? 1);
            w.WriteString("rule", f.Rule);
            w.WriteString("severity", Level(f.Severity));
            w.WriteString("message", f.Message);
            w.WriteString("lock", f.Lock ?? StatementLocks.None);
            w.WriteString("impact", Impact(f.Impact));
            w.WriteString("hint", f.Hint);
            w.WriteString("table", f.Table);
            if (f.TableRows is { } rows)
            {
                w.WriteNumber("table_rows", rows);
            }

            if (f.StatementIndex is { } index)
            {
                w.WriteNumber("statement", index);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    /// <summary>SARIF 2.1.0, the format GitHub code scanning (upload-sarif) reads.</summary>
    private static void WriteSarif(Utf8JsonWriter w, IReadOnlyList<FileFinding> findings)
    {
        w.WriteStartObject();
        w.WriteString("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
        w.WriteString("version", "2.1.0");
        w.WriteStartArray("runs");
        w.WriteStartObject();
        w.WriteStartObject("tool");
        w.WriteStartObject("driver");
        w.WriteString("name", "rose-lint");
        w.WriteStartArray("rules");
        foreach (var rule in MigrationLinter.Rules)
        {
            w.WriteStartObject();
            w.WriteString("id", rule.Id);
            w.WriteStartObject("shortDescription");
            w.WriteString("text", rule.Description);
            w.WriteEndObject();
            w.WriteStartObject("defaultConfiguration");
            w.WriteString("level", SarifLevel(rule.Severity));
            w.WriteEndObject();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteStartArray("results");
        foreach (var (file, f) in findings)
        {
            w.WriteStartObject();
            w.WriteString("ruleId", f.Rule);
            w.WriteString("level", SarifLevel(f.Severity));
            w.WriteStartObject("message");
            w.WriteString("text", Describe(f));
            w.WriteEndObject();
            w.WriteStartArray("locations");
            w.WriteStartObject();
            w.WriteStartObject("physicalLocation");
            w.WriteStartObject("artifactLocation");
            w.WriteString("uri", file);
            w.WriteEndObject();
            w.WriteStartObject("region");
            w.WriteNumber("startLine", f.Line ?? 1);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteStartObject("properties");
            w.WriteString("lock", f.Lock ?? StatementLocks.None);
            w.WriteString("impact", Impact(f.Impact));
            w.WriteEndObject();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static string SarifLevel(LintSeverity s) => s switch
    {
        LintSeverity.Error => "error",
        LintSeverity.Warning => "warning",
        _ => "note",
    };

    private static string GitHubLevel(LintSeverity s) => s switch
    {
        LintSeverity.Error => "error",
        LintSeverity.Warning => "warning",
        _ => "notice",
    };

    /// <summary>Workflow-command escaping of the message part.</summary>
    private static string Data(string s) => s.Replace("%", "%25", StringComparison.Ordinal).Replace("\r", "%0D", StringComparison.Ordinal).Replace("\n", "%0A", StringComparison.Ordinal);

    /// <summary>Workflow-command escaping of a property value (also ':' and ',').</summary>
    private static string Property(string s) => Data(s).Replace(":", "%3A", StringComparison.Ordinal).Replace(",", "%2C", StringComparison.Ordinal);

    private static string Json(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Indented))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}

using System.Text.Encodings.Web;

namespace Rose.Cli.Commands;

/// <summary>The streams a command reads and writes, and the input helpers shared by commands.</summary>
public sealed class CliIo(TextReader stdin, TextWriter stdout, TextWriter stderr)
{
    /// <summary>Output is for terminals and pipes, not HTML: keep non-ASCII readable.</summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public TextReader Stdin { get; } = stdin;

    public TextWriter Stdout { get; } = stdout;

    public TextWriter Stderr { get; } = stderr;

    /// <summary>The whole input: the named file, or stdin for "-" or no argument.</summary>
    public string ReadAll(string? path)
    {
        if (path is null or "-")
        {
            return Stdin.ReadToEnd();
        }

        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read input file '{path}': {e.Message}", ExitCodes.NoInput);
        }
    }

    /// <summary>
    /// The SQL of each JSON line ({"sql": "..."}), or the reason the line is malformed. Blank
    /// lines are skipped.
    /// </summary>
    public IEnumerable<(string? Sql, string? Error)> ReadJsonLines(string? path)
    {
        using var reader = path is null or "-" ? null : OpenFile(path);
        var input = reader ?? Stdin;
        var lineNumber = 0;
        while (input.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            yield return ParseLine(line, lineNumber);
        }
    }

    /// <summary>Writes one compact JSON line.</summary>
    public void WriteJsonLine(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(writer);
        }

        Stdout.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }

    public void WriteError(string message) => WriteJsonLine(w =>
    {
        w.WriteStartObject();
        w.WriteString("error", message);
        w.WriteEndObject();
    });

    private static (string? Sql, string? Error) ParseLine(string line, int lineNumber)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, $"line {lineNumber}: expected a JSON object {{\"sql\": \"...\"}}");
            }

            if (!document.RootElement.TryGetProperty("sql", out var sql) || sql.ValueKind != JsonValueKind.String)
            {
                return (null, $"line {lineNumber}: missing string field \"sql\"");
            }

            return (sql.GetString()!, null);
        }
        catch (JsonException e)
        {
            return (null, $"line {lineNumber}: invalid JSON: {e.Message}");
        }
    }

    private static StreamReader OpenFile(string path)
    {
        try
        {
            return new StreamReader(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read input file '{path}': {e.Message}", ExitCodes.NoInput);
        }
    }
}

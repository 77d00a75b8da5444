using Rose.Core.Sql;

namespace Rose.Cli.Commands;

/// <summary>`rose classify [--jsonl] [FILE|-]`: one JSON line per statement, or per input line with --jsonl.</summary>
public static class ClassifyCommand
{
    public static Command Create(CliIo io, Lazy<ISqlClassifier> classifier)
    {
        var jsonl = new Option<bool>("--jsonl") { Description = "Input lines are {\"sql\": \"...\"}; answer one {\"statements\": [...]} line per input line." };
        var file = new Argument<string?>("FILE") { Description = "SQL file, or - for stdin (default).", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("classify", "Split, parse and classify SQL with the PostgreSQL parser.") { jsonl, file };
        command.SetAction(parseResult => Run(io, classifier.Value, parseResult.GetValue(jsonl), parseResult.GetValue(file)));
        return command;
    }

    private static int Run(CliIo io, ISqlClassifier classifier, bool jsonl, string? path)
    {
        if (!jsonl)
        {
            foreach (var statement in classifier.Classify(io.ReadAll(path)).Statements)
            {
                io.WriteJsonLine(w => WriteStatement(w, statement));
            }

            return ExitCodes.Ok;
        }

        var exit = ExitCodes.Ok;
        foreach (var (sql, error) in io.ReadJsonLines(path))
        {
            if (error is not null)
            {
                io.WriteError(error);
                exit = ExitCodes.MalformedInput;
                continue;
            }

            var batch = classifier.Classify(sql!);
            io.WriteJsonLine(w =>
            {
                w.WriteStartObject();
                w.WriteStartArray("statements");
                foreach (var statement in batch.Statements)
                {
                    WriteStatement(w, statement);
                }

                w.WriteEndArray();
                w.WriteEndObject();
            });
        }

        return exit;
    }

    /// <summary>The documented keys first, in their documented order; extra keys after them.</summary>
    internal static void WriteStatement(Utf8JsonWriter w, SqlStatement s)
    {
        w.WriteStartObject();
        w.WriteNumber("index", s.Index);
        w.WriteNumber("start", s.Start);
        w.WriteNumber("length", s.Length);
        w.WriteString("node", s.Node);
        w.WriteString("tag", s.Tag);
        WriteStrings(w, "operations", s.Operations);
        w.WriteBoolean("writes", s.Writes);
        w.WriteBoolean("destructive", s.Destructive);
        w.WriteString("kind", s.Kind.ToString().ToLowerInvariant());
        w.WriteBoolean("no_transaction", s.NoTransaction);
        w.WriteBoolean("transaction_control", s.TransactionControl);
        w.WriteBoolean("unfiltered_dml", s.UnfilteredDml);
        WriteStrings(w, "objects", s.Objects);
        if (s.Error is not null)
        {
            w.WriteStartObject("error");
            w.WriteString("message", s.Error.Message);
            if (s.Error.Position is { } position)
            {
                w.WriteNumber("position", position);
            }

            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    internal static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var value in values)
        {
            w.WriteStringValue(value);
        }

        w.WriteEndArray();
    }
}

using Rose.Core.Migrations.Lint;
using Rose.Core.Sql;

namespace Rose.Cli.Commands;

/// <summary>One finding of `rose lint`, with the file it is in.</summary>
public sealed record FileFinding(string File, LintFinding Finding);

/// <summary>
/// `rose lint [--format text|json|sarif|github] [--config FILE] [--severity RULE=LEVEL]... FILE|DIR...`:
/// the migration lint of plan and API, offline (no server). Directories are searched for *.sql.
/// Exit code: 0 no error-severity finding, 1 at least one, 64 usage, 66 missing or unreadable
/// input, 78 bad lint configuration. `rose lint --list-rules [--format json]` lists the rules.
/// </summary>
public static class LintCommand
{
    /// <summary>At least one finding at error severity (or a file that does not parse).</summary>
    public const int ErrorFindings = 1;

    /// <summary>The pseudo-rule of a statement the PostgreSQL parser rejects: lint fails closed on it.</summary>
    public const string SyntaxError = "syntax-error";

    public static Command Create(CliIo io, Lazy<ISqlClassifier> classifier)
    {
        var format = new Option<string>("--format") { Description = "Output: text (default), json, sarif or github (workflow annotations).", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json", "sarif", "github");
        var listRules = new Option<bool>("--list-rules") { Description = "List the rules (id, severity, description, squawk equivalents) instead of linting." };
        var config = new Option<string?>("--config") { Description = "JSON file: {\"rules\": {\"rule-id\": \"off|info|warning|error\"}, \"assumeInTransaction\": false}." };
        var severity = new Option<string[]>("--severity") { Description = "Override one rule's severity: RULE=off|info|warning|error (repeatable; wins over --config).", AllowMultipleArgumentsPerToken = false };
        var assumeTx = new Option<bool>("--assume-in-transaction") { Description = "Each file runs inside a transaction the migration tool opens." };
        var paths = new Argument<string[]>("PATH") { Description = "Migration files or directories (searched for *.sql), or - for stdin.", Arity = ArgumentArity.ZeroOrMore };

        var command = new Command("lint", "Lint migration files offline with the rules plan and API use.") { format, listRules, config, severity, assumeTx, paths };
        command.SetAction(parseResult =>
        {
            var output = parseResult.GetValue(format)!;
            if (parseResult.GetValue(listRules))
            {
                LintReportWriter.WriteRules(io.Stdout, output);
                return ExitCodes.Ok;
            }

            var inputs = parseResult.GetValue(paths) ?? [];
            if (inputs.Length == 0)
            {
                throw new CliException("lint needs at least one FILE or DIR (or --list-rules)", ExitCodes.Usage);
            }

            var settings = Settings(parseResult.GetValue(config), parseResult.GetValue(severity) ?? [], parseResult.GetValue(assumeTx));
            var findings = new List<FileFinding>();
            foreach (var (name, text) in Read(io, inputs))
            {
                findings.AddRange(Lint(classifier.Value, name, text, settings));
            }

            LintReportWriter.Write(io.Stdout, output, findings);
            return findings.Any(f => f.Finding.Severity == LintSeverity.Error) ? ErrorFindings : ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Findings of one file; statements PostgreSQL cannot parse become syntax-error findings.</summary>
    public static IEnumerable<FileFinding> Lint(ISqlClassifier classifier, string file, string text, LintSettings settings)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        var batch = classifier.Classify(text);
        foreach (var bad in batch.Statements.Where(s => !s.IsParsed))
        {
            var line = 1 + text.AsSpan(0, Math.Min(bad.Start, text.Length)).Count('\n');
            yield return new FileFinding(file, new LintFinding(SyntaxError, LintSeverity.Error, bad.Index,
                $"PostgreSQL cannot parse this statement: {bad.Error!.Message}", "Fix the syntax; no rule can check what does not parse.")
            { Line = line, Lock = StatementLocks.None, Impact = TableImpact.None });
        }

        foreach (var finding in MigrationLinter.Lint(batch, LintContext.Empty, settings))
        {
            yield return new FileFinding(file, finding);
        }
    }

    private static LintSettings Settings(string? configPath, string[] overrides, bool assumeInTransaction)
    {
        try
        {
            var settings = LintSettings.Default;
            if (configPath is not null)
            {
                string json;
                try
                {
                    json = File.ReadAllText(configPath);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new CliException($"cannot read lint configuration '{configPath}': {e.Message}", ExitCodes.NoInput);
                }

                settings = LintSettings.Parse(json);
            }

            foreach (var o in overrides)
            {
                var eq = o.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                {
                    throw new LintSettingsException($"--severity expects RULE=LEVEL, got '{o}'");
                }

                settings = settings.With(o[..eq].Trim(), o[(eq + 1)..]);
            }

            return assumeInTransaction ? settings with { AssumeInTransaction = true } : settings;
        }
        catch (LintSettingsException e)
        {
            throw new CliException(configPath is null ? e.Message : $"{configPath}: {e.Message}", ExitCodes.BadPolicy);
        }
    }

    /// <summary>Every input as (display name, text); directories expand to their *.sql files in ordinal order. Fails on the first missing path.</summary>
    private static List<(string Name, string Text)> Read(CliIo io, string[] inputs)
    {
        var files = new List<string>();
        var result = new List<(string, string)>();
        foreach (var input in inputs)
        {
            if (input == "-")
            {
                result.Add(("<stdin>", io.Stdin.ReadToEnd()));
            }
            else if (Directory.Exists(input))
            {
                List<string> sql;
                try
                {
                    sql = [.. Directory.EnumerateFiles(input, "*.sql", SearchOption.AllDirectories).Order(StringComparer.Ordinal)];
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new CliException($"cannot read directory '{input}': {e.Message}", ExitCodes.NoInput);
                }

                if (sql.Count == 0)
                {
                    throw new CliException($"no .sql files in directory '{input}'", ExitCodes.NoInput);
                }

                files.AddRange(sql);
            }
            else if (File.Exists(input))
            {
                files.Add(input);
            }
            else
            {
                throw new CliException($"cannot read '{input}': no such file or directory", ExitCodes.NoInput);
            }
        }

        foreach (var file in files)
        {
            result.Add((file.Replace('\\', '/'), io.ReadAll(file)));
        }

        return result;
    }
}

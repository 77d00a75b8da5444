using Rose.Cli.Commands;
using Rose.Core.Sql;

namespace Rose.Cli;

/// <summary>
/// The root of `rose`. Each command lives in Commands/ and is added here; the lead adds
/// migrate, validate and mcp the same way.
/// </summary>
public static class RoseCli
{
    /// <summary>Runs the CLI against the given streams and returns the process exit code (see <see cref="ExitCodes"/>).</summary>
    public static int Run(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        var io = new CliIo(stdin, stdout, stderr);
        var classifier = new Lazy<ISqlClassifier>(() => new PgQueryClassifier());

        var root = new RootCommand("Rose Console command-line tool: classify SQL and check it against a policy.");
        root.Subcommands.Add(ClassifyCommand.Create(io, classifier));
        root.Subcommands.Add(PolicyCommand.Create(io, classifier));
        root.Subcommands.Add(McpCommand.Create(io));
        root.Subcommands.Add(MigrateCommand.Create(io));
        root.Subcommands.Add(SnapshotCommand.Create(io));
        root.Subcommands.Add(ValidateCommand.Create(io));
        root.Subcommands.Add(LintCommand.Create(io, classifier));
        root.Subcommands.Add(AdviseCommand.Create(io));

        var parseResult = root.Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            foreach (var error in parseResult.Errors)
            {
                stderr.WriteLine($"rose: {error.Message}");
            }

            stderr.WriteLine("Run 'rose --help' for usage.");
            return ExitCodes.Usage;
        }

        try
        {
            return parseResult.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (CliException e)
        {
            stderr.WriteLine($"rose: {e.Message}");
            return e.ExitCode;
        }
        catch (SqlParserUnavailableException e)
        {
            stderr.WriteLine($"rose: {e.Message}");
            return ExitCodes.Unavailable;
        }
    }
}

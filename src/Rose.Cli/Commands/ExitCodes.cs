namespace Rose.Cli.Commands;

/// <summary>
/// Exit codes of `rose`. Decisions map to distinct codes so scripts can branch without parsing
/// JSON; the failure codes follow sysexits.h.
/// </summary>
public static class ExitCodes
{
    /// <summary>Success; for `policy check`: every input is allowed.</summary>
    public const int Ok = 0;

    /// <summary>`classify --jsonl` / `policy check --jsonl`: at least one input line was malformed.</summary>
    public const int MalformedInput = 1;

    /// <summary>`policy check`: the strictest decision is approval.</summary>
    public const int Approval = 2;

    /// <summary>`policy check`: the strictest decision is deny.</summary>
    public const int Deny = 3;

    /// <summary>`validate`: at least one check failed or errored.</summary>
    public const int ValidationFailed = 4;

    /// <summary>`validate`: the console refused or could not run the validation (bad key, unknown database).</summary>
    public const int ValidationError = 5;

    /// <summary>`migrate check`: at least one checked version does not undo and redo to the same schema.</summary>
    public const int NotReversible = 6;

    /// <summary>`migrate drift`: the target's schema differs from the schema its applied migrations build.</summary>
    public const int Drift = 7;

    /// <summary>Bad command line (EX_USAGE).</summary>
    public const int Usage = 64;

    /// <summary>An input file does not exist or cannot be read (EX_NOINPUT).</summary>
    public const int NoInput = 66;

    /// <summary>The SQL parser library is missing (EX_UNAVAILABLE).</summary>
    public const int Unavailable = 69;

    /// <summary>The policy file is missing or invalid (EX_CONFIG).</summary>
    public const int BadPolicy = 78;
}

/// <summary>A failure the CLI reports as one line on stderr with its exit code.</summary>
public sealed class CliException(string message, int exitCode) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

namespace Rose.Cli.Commands;

/// <summary>The parsed command line of one `rose migrate` call.</summary>
internal sealed record MigrateOptions(string Action, string Database, List<object>? Files, string? Reason, bool DryRun, bool SingleTransaction, string? To, bool Json, bool FromEmpty = false);

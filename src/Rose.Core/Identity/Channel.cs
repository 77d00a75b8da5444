namespace Rose.Core.Identity;

/// <summary>The path an execution came through; stored in the audit row.</summary>
public enum Channel
{
    Workbench,
    Api,
    Mcp,
    Migration,
    Validation,
    Approval,
    Cli,

    /// <summary>Console administration of Rose itself (agents, keys, policies); nothing runs on a target.</summary>
    Admin,
}

public static class ChannelNames
{
    public static string Name(this Channel channel) => channel.ToString().ToLowerInvariant();

    public static bool TryParse(string? value, out Channel channel) =>
        Enum.TryParse(value, ignoreCase: true, out channel) && Enum.IsDefined(channel);
}

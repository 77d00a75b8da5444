namespace Rose.Core.Identity;

/// <summary>Who asked for an execution: a signed-in person or an agent key.</summary>
public enum ExecutorKind
{
    Human,
    Agent,
    System,
}

/// <summary>The identity recorded in the audit log and checked by approvals.</summary>
/// <param name="Id">Stable subject: the OIDC subject, the dev-login user name, or the agent id.</param>
/// <param name="Name">Display name.</param>
/// <param name="Kind">Human, agent or Rose itself.</param>
/// <param name="Provider">Where the identity came from: the OIDC issuer, "dev", "api-key", "rose".</param>
public sealed record Executor(string Id, string Name, ExecutorKind Kind, string Provider)
{
    public static Executor System(string name) => new($"rose:{name}", name, ExecutorKind.System, "rose");

    public string KindName => Kind switch
    {
        ExecutorKind.Human => "human",
        ExecutorKind.Agent => "agent",
        _ => "system",
    };
}

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

namespace Rose.Core.Identity;

/// <summary>Who asked for an execution: a signed-in person or an agent key.</summary>
public enum ActorKind
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
public sealed record Actor(string Id, string Name, ActorKind Kind, string Provider)
{
    public static Actor System(string name) => new($"rose:{name}", name, ActorKind.System, "rose");

    public string KindName => Kind switch
    {
        ActorKind.Human => "human",
        ActorKind.Agent => "agent",
        _ => "system",
    };
}

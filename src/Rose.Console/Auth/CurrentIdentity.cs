using Microsoft.Extensions.Options;
using Rose.Core.Agents;
using Rose.Core.Configuration;

namespace Rose.Console.Auth;

/// <summary>Turns a signed-in principal into the executor the audit log records and the policy it works under.</summary>
public sealed class CurrentIdentity(IOptions<RoseOptions> options, AgentStore agents)
{
    public static Actor ToActor(ClaimsPrincipal user)
    {
        var id = user.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new InvalidOperationException("The identity has no subject.");
        var name = user.FindFirstValue(ClaimTypes.Name) ?? id;
        var kind = user.FindFirstValue(RoseClaims.Kind) == "agent" ? ActorKind.Agent : ActorKind.Human;
        return new Actor(id, name, kind, user.FindFirstValue(RoseClaims.Provider) ?? "unknown");
    }

    public static bool IsAgent(ClaimsPrincipal user) => user.FindFirstValue(RoseClaims.Kind) == "agent";

    public static string? HumanRole(ClaimsPrincipal user) =>
        RoseRoles.Highest(user.FindAll(ClaimTypes.Role).Select(c => c.Value));

    /// <summary>An agent's own policy, or the policy of a human's highest role; nothing allowed otherwise.</summary>
    public async Task<SqlPolicy> PolicyForAsync(ClaimsPrincipal user, CancellationToken ct)
    {
        if (IsAgent(user))
        {
            var agent = await agents.GetForCallAsync(user.FindFirstValue(ClaimTypes.NameIdentifier)!, ct);
            return agent?.Policy ?? SqlPolicy.DenyAll;
        }

        var role = HumanRole(user);
        if (role is null || role == RoseRoles.Viewer)
        {
            return SqlPolicy.DenyAll;
        }

        return options.Value.Roles.TryGetValue(role, out var roleOptions) && roleOptions.Policy is not null
            ? roleOptions.Policy.ToPolicy()
            : SqlPolicy.DenyAll;
    }
}

using Microsoft.Extensions.Options;
using Rose.Console.Auth.Oidc;

namespace Rose.Console.Auth;

/// <summary>Checks Rose:Auth at start; every message names the exact key to fix.</summary>
public sealed class RoseAuthOptionsValidator : IValidateOptions<RoseAuthOptions>
{
    private const string Prefix = "Rose:Auth:Oidc";

    public ValidateOptionsResult Validate(string? name, RoseAuthOptions options)
    {
        var errors = new List<string>();
        var oidc = options.Oidc;
        if (!string.IsNullOrWhiteSpace(oidc.Authority))
        {
            if (!OidcAuthorities.IsAcceptable(oidc.Authority))
            {
                errors.Add($"{Prefix}:Authority must be an absolute https URL without query or fragment " +
                    "(http is allowed only for localhost and 127.0.0.1).");
            }

            if (string.IsNullOrWhiteSpace(oidc.ClientId))
            {
                errors.Add($"{Prefix}:ClientId is required when {Prefix}:Authority is set.");
            }

            if (OidcRoleClaim.Problem(oidc.RoleClaim) is { } roleClaimProblem)
            {
                errors.Add($"{Prefix}:RoleClaim '{oidc.RoleClaim}' {roleClaimProblem}.");
            }

            if (!oidc.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains("openid", StringComparer.Ordinal))
            {
                errors.Add($"{Prefix}:Scopes must include 'openid' (was '{oidc.Scopes}').");
            }

            if (oidc.RoleMap.Count == 0)
            {
                errors.Add($"{Prefix}:RoleMap is empty: map at least one provider role or group to a Rose role (viewer, operator, approver, admin), or nobody can sign in.");
            }

            if (Rose.Console.Mcp.McpOAuth.McpResourceProblem(oidc.McpResource) is { } resourceProblem)
            {
                errors.Add($"{Prefix}:McpResource '{oidc.McpResource}' {resourceProblem}.");
            }
        }
        else if (!string.IsNullOrWhiteSpace(oidc.McpResource))
        {
            errors.Add($"{Prefix}:Authority is required when {Prefix}:McpResource is set.");
        }

        if (string.IsNullOrWhiteSpace(oidc.Authority) && (!string.IsNullOrWhiteSpace(oidc.ClientId) || !string.IsNullOrWhiteSpace(oidc.ClientSecret)))
        {
            errors.Add($"{Prefix}:Authority is required when {Prefix}:ClientId or {Prefix}:ClientSecret is set.");
        }

        foreach (var (providerRole, roseRole) in oidc.RoleMap)
        {
            if (!RoseRoles.IsHumanRole(roseRole))
            {
                errors.Add($"{Prefix}:RoleMap:{providerRole} is '{roseRole}', which is not one of viewer, operator, approver, admin.");
            }
        }

        foreach (var (user, devUser) in options.DevUsers)
        {
            if (!RoseRoles.IsHumanRole(devUser.Role))
            {
                errors.Add($"Rose:Auth:DevUsers:{user}:Role is '{devUser.Role}', which is not one of viewer, operator, approver, admin.");
            }
        }

        if (options.AgentRequestsPerMinute <= 0)
        {
            errors.Add($"Rose:Auth:AgentRequestsPerMinute must be a positive number (was {options.AgentRequestsPerMinute}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

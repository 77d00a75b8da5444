using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Rose.Console.Auth.Oidc;

/// <summary>
/// Reads the provider's roles from an id_token by Rose:Auth:Oidc:RoleClaim: a claim name ("roles",
/// "groups", "https://example.com/roles") or a dotted path into nested claims, as Keycloak sends them
/// ("realm_access.roles", "resource_access.rose-console.roles"). The value found may be a string or an
/// array of strings. Anything else (missing path, another shape, malformed JSON) yields no roles,
/// never an exception: with no roles the sign-in is refused.
/// </summary>
public static class OidcRoleClaim
{
    /// <summary>Nesting the walk follows at most; real role claims are two or three levels deep.</summary>
    private const int MaxDepth = 16;

    private static readonly JsonDocumentOptions ParseOptions = new() { MaxDepth = 64 };

    /// <summary>The provider roles at <paramref name="path"/> in a validated token's payload.</summary>
    public static IReadOnlyList<string> Read(JsonWebToken token, string path)
    {
        ArgumentNullException.ThrowIfNull(token);
        string payload;
        try
        {
            // The whole payload as the provider signed it: nested claims keep their JSON shape, whatever claim flattening does.
            payload = Base64UrlEncoder.Decode(token.EncodedPayload);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            return [];
        }

        return Read(payload, path);
    }

    /// <summary>The provider roles at <paramref name="path"/> in a JSON payload; empty when it is not there or not JSON.</summary>
    public static IReadOnlyList<string> Read(string payloadJson, string path)
    {
        if (string.IsNullOrEmpty(payloadJson) || Problem(path) is not null)
        {
            return [];
        }

        try
        {
            using var doc = JsonDocument.Parse(payloadJson, ParseOptions);
            var roles = new List<string>();
            Walk(doc.RootElement, path.Split('.'), 0, roles, 0);
            return roles;
        }
        catch (JsonException)
        {
            return [];
        }
    }

    /// <summary>Why a RoleClaim setting cannot name a claim, or null when it can.</summary>
    public static string? Problem(string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return "must not be empty";
        }

        if (path.Any(char.IsWhiteSpace))
        {
            return "must not contain spaces";
        }

        return path.Split('.').Any(s => s.Length == 0)
            ? "has an empty segment: use a claim name or a dotted path such as realm_access.roles or resource_access.rose-console.roles"
            : null;
    }

    /// <summary>
    /// Follows the path one object at a time. At each level the longest run of segments that is a
    /// property name wins, so a claim or client name that itself holds dots ("https://example.com/roles")
    /// is found whole before it is split.
    /// </summary>
    private static void Walk(JsonElement element, string[] segments, int from, List<string> roles, int depth)
    {
        if (depth > MaxDepth)
        {
            return;
        }

        if (from == segments.Length)
        {
            AddLeaf(element, roles);
            return;
        }

        if (element.ValueKind == JsonValueKind.String && depth > 0)
        {
            // Some gateways pass a nested claim on as a JSON string; read it as the object it holds.
            var text = element.GetString()!;
            if (text.TrimStart().StartsWith('{'))
            {
                using var inner = JsonDocument.Parse(text, ParseOptions);
                Walk(inner.RootElement, segments, from, roles, depth + 1);
            }

            return;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        for (var to = segments.Length; to > from; to--)
        {
            if (element.TryGetProperty(string.Join('.', segments[from..to]), out var child))
            {
                Walk(child, segments, to, roles, depth + 1);
                return;
            }
        }
    }

    private static void AddLeaf(JsonElement element, List<string> roles)
    {
        if (element.ValueKind == JsonValueKind.String)
        {
            AddRole(element.GetString(), roles);
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray().Where(i => i.ValueKind == JsonValueKind.String))
            {
                AddRole(item.GetString(), roles);
            }
        }
    }

    private static void AddRole(string? role, List<string> roles)
    {
        if (!string.IsNullOrWhiteSpace(role))
        {
            roles.Add(role);
        }
    }
}

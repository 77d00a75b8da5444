namespace Rose.Console.Auth;

/// <summary>Human roles, each including the ones before it, plus the agent role.</summary>
public static class RoseRoles
{
    public const string Viewer = "viewer";
    public const string Operator = "operator";
    public const string Approver = "approver";
    public const string Admin = "admin";
    public const string Agent = "agent";

    /// <summary>Ordered from least to most powerful.</summary>
    public static readonly IReadOnlyList<string> Human = [Viewer, Operator, Approver, Admin];

    public static bool IsHumanRole(string? role) => role is not null && Human.Contains(role, StringComparer.OrdinalIgnoreCase);

    /// <summary>A role and every role it includes (admin → viewer, operator, approver, admin).</summary>
    public static IEnumerable<string> Including(string role)
    {
        var index = Human.ToList().FindIndex(r => string.Equals(r, role, StringComparison.OrdinalIgnoreCase));
        return index < 0 ? [] : Human.Take(index + 1);
    }

    /// <summary>The most powerful human role among the given ones, or null.</summary>
    public static string? Highest(IEnumerable<string> roles)
    {
        var set = roles.ToHashSet(StringComparer.OrdinalIgnoreCase);
        return Human.LastOrDefault(set.Contains);
    }
}

/// <summary>Authorization policy names.</summary>
public static class RosePolicies
{
    public const string Viewer = "rose:viewer";
    public const string Operator = "rose:operator";
    public const string Approver = "rose:approver";
    public const string Admin = "rose:admin";

    /// <summary>May run SQL: operators (and above) or agents.</summary>
    public const string SqlRunner = "rose:sql-runner";

    /// <summary>May read audit, devlogs, approvals: viewers (and above) or agents.</summary>
    public const string Reader = "rose:reader";
}

/// <summary>Claim types Rose adds.</summary>
public static class RoseClaims
{
    public const string Kind = "rose:kind";
    public const string Provider = "rose:provider";
}

using Rose.Core.Policy;

namespace Rose.Core.Tests.Sql;

/// <summary>Policies the classifier's adversarial tests decide with.</summary>
internal static class SqlTestPolicies
{
    /// <summary>An agent that may only read database "app": what the smuggling findings try to get past.</summary>
    public static readonly SqlPolicy SelectOnly = new()
    {
        AllowedDatabases = ["app"],
        AllowedOperations = ["SELECT"],
        RequiresApproval = [],
        Environment = "dev",
    };
}

namespace Rose.Core.Targets;

/// <summary>How careful a target's environment is; each step only tightens the policy.</summary>
public enum TargetEnvironment
{
    Dev = 0,
    Staging = 1,
    Prod = 2,
}

public static class TargetEnvironments
{
    public static readonly IReadOnlyList<string> Names = ["dev", "staging", "prod"];

    /// <summary>Parses "dev", "development", "staging", "prod", "production" (any case).</summary>
    public static bool TryParse(string? value, out TargetEnvironment environment)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case "dev" or "development":
                environment = TargetEnvironment.Dev;
                return true;
            case "staging" or "stage":
                environment = TargetEnvironment.Staging;
                return true;
            case "prod" or "production":
                environment = TargetEnvironment.Prod;
                return true;
            default:
                environment = TargetEnvironment.Prod;
                return false;
        }
    }

    public static string Name(this TargetEnvironment environment) => environment switch
    {
        TargetEnvironment.Dev => "dev",
        TargetEnvironment.Staging => "staging",
        _ => "prod",
    };
}

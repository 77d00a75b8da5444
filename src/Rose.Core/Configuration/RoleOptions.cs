namespace Rose.Core.Configuration;

public sealed class RoleOptions
{
    public SqlPolicyOptions? Policy { get; set; }
}

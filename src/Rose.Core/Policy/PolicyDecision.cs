namespace Rose.Core.Policy;

/// <summary>Ordered from least to most strict, so Max() picks the strictest.</summary>
public enum Decision
{
    Allow = 0,
    Approval = 1,
    Deny = 2,
}

public static class DecisionNames
{
    public static string Name(this Decision decision) => decision switch
    {
        Decision.Allow => "allow",
        Decision.Approval => "approval",
        _ => "deny",
    };
}

/// <summary>The decision for one statement, with the rules that produced it.</summary>
public sealed record StatementDecision(int Index, string Tag, Decision Decision, IReadOnlyList<string> Reasons);

/// <summary>The decision for a whole batch: its strictest statement, or deny for batch-level reasons.</summary>
public sealed record PolicyDecision(Decision Decision, IReadOnlyList<string> Reasons, IReadOnlyList<StatementDecision> Statements)
{
    /// <summary>Every operation of every statement, distinct, in order.</summary>
    public IReadOnlyList<string> Operations { get; init; } = [];
}

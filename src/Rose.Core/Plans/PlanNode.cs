namespace Rose.Core.Plans;

/// <summary>One node of an EXPLAIN (FORMAT JSON) plan, with the figures the tree shows.</summary>
public sealed class PlanNode
{
    public required string NodeType { get; init; }
    public string? Relation { get; init; }
    public string? Alias { get; init; }
    public string? IndexName { get; init; }
    public string? Detail { get; init; }
    public double StartupCost { get; init; }
    public double TotalCost { get; init; }
    public double PlanRows { get; init; }
    public double? ActualRows { get; init; }
    public double? ActualTotalTime { get; init; }
    public double? ActualLoops { get; init; }
    public List<PlanNode> Children { get; } = [];

    /// <summary>Time (analyzed) or cost (plain EXPLAIN) spent in this node alone, without its children.</summary>
    public double Exclusive { get; set; }

    public bool Hot { get; set; }
    public int Depth { get; set; }
}

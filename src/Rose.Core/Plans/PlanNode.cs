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

    /// <summary>Buffer counts (EXPLAIN BUFFERS), including the node's children as PostgreSQL reports them; null without BUFFERS.</summary>
    public PlanBuffers? Buffers { get; init; }

    public List<PlanNode> Children { get; } = [];

    /// <summary>This node's exclusive time as a share (0..1) of the whole execution; null for an unanalyzed plan.</summary>
    public double? Share { get; set; }

    /// <summary>
    /// Actual rows over estimated rows per loop (both at least 1) when they differ by
    /// <see cref="ExplainPlan.MisestimateFactor"/> or more; null when the estimate was close or not measured.
    /// Above 1 the planner under-estimated, below 1 it over-estimated.
    /// </summary>
    public double? Misestimate { get; set; }

    /// <summary>Time (analyzed) or cost (plain EXPLAIN) spent in this node alone, without its children.</summary>
    public double Exclusive { get; set; }

    public bool Hot { get; set; }
    public int Depth { get; set; }
}

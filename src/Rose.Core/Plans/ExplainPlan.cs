namespace Rose.Core.Plans;

/// <summary>A parsed plan: the root node, timings, and the most expensive nodes marked hot.</summary>
public sealed class ExplainPlan
{
    /// <summary>Estimates off by this factor or more either way are flagged: a plan chosen on them is often the wrong one.</summary>
    public const double MisestimateFactor = 10;

    public required PlanNode Root { get; init; }
    public bool Analyzed { get; init; }
    public double? PlanningMs { get; init; }
    public double? ExecutionMs { get; init; }

    /// <summary>Nodes in depth-first order, for rendering an indented tree without recursion in markup.</summary>
    public List<PlanNode> Flatten()
    {
        var list = new List<PlanNode>();
        void Walk(PlanNode node, int depth)
        {
            node.Depth = depth;
            list.Add(node);
            foreach (var child in node.Children)
            {
                Walk(child, depth + 1);
            }
        }

        Walk(Root, 0);
        return list;
    }

    /// <summary>Parses EXPLAIN (FORMAT JSON) output; null when the text is not a plan.</summary>
    public static ExplainPlan? Parse(string json, int hotCount = 3)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var top = doc.RootElement.ValueKind == JsonValueKind.Array ? doc.RootElement[0] : doc.RootElement;
            if (!top.TryGetProperty("Plan", out var planElement))
            {
                return null;
            }

            return Build(ReadNode(planElement), Number(top, "Planning Time"), Number(top, "Execution Time"), hotCount);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>A plan from its root node (from either output format): exclusive figures computed, hot nodes marked.</summary>
    internal static ExplainPlan Build(PlanNode root, double? planningMs, double? executionMs, int hotCount)
    {
        // Timed (ANALYZE) plans rank nodes by time, others by cost.
        var analyzed = root.ActualTotalTime is not null;
        var plan = new ExplainPlan
        {
            Root = root,
            Analyzed = analyzed,
            PlanningMs = planningMs,
            ExecutionMs = executionMs,
        };
        var nodes = plan.Flatten();
        foreach (var node in nodes)
        {
            node.Exclusive = Math.Max(0, Inclusive(node, analyzed) - node.Children.Sum(c => Inclusive(c, analyzed)));
        }

        var total = Inclusive(root, analyzed);
        foreach (var node in analyzed ? nodes : [])
        {
            node.Share = total > 0 ? node.Exclusive / total : 0;
            if (node.ActualRows is { } actual && (node.ActualLoops ?? 1) > 0)
            {
                var ratio = Math.Max(actual, 1) / Math.Max(node.PlanRows, 1);
                node.Misestimate = ratio >= MisestimateFactor || ratio <= 1 / MisestimateFactor ? ratio : null;
            }
        }

        foreach (var node in nodes.Where(n => n.Exclusive > 0).OrderByDescending(n => n.Exclusive).Take(hotCount))
        {
            node.Hot = true;
        }

        return plan;
    }

    // Actual Total Time is per loop, so a node's whole time is time x loops.
    private static double Inclusive(PlanNode node, bool analyzed) =>
        analyzed ? (node.ActualTotalTime ?? 0) * (node.ActualLoops ?? 1) : node.TotalCost;

    private static PlanNode ReadNode(JsonElement e)
    {
        var node = new PlanNode
        {
            NodeType = Text(e, "Node Type") ?? "?",
            Relation = Text(e, "Relation Name") is { } rel ? (Text(e, "Schema") is { } schema ? $"{schema}.{rel}" : rel) : null,
            Alias = Text(e, "Alias"),
            IndexName = Text(e, "Index Name"),
            Detail = Text(e, "Join Type") ?? Text(e, "Strategy") ?? Text(e, "Sort Method"),
            StartupCost = Number(e, "Startup Cost") ?? 0,
            TotalCost = Number(e, "Total Cost") ?? 0,
            PlanRows = Number(e, "Plan Rows") ?? 0,
            ActualRows = Number(e, "Actual Rows"),
            ActualTotalTime = Number(e, "Actual Total Time"),
            ActualLoops = Number(e, "Actual Loops"),
            Buffers = PlanBuffers.Read(e),
        };
        if (e.TryGetProperty("Plans", out var children) && children.ValueKind == JsonValueKind.Array)
        {
            foreach (var child in children.EnumerateArray())
            {
                node.Children.Add(ReadNode(child));
            }
        }

        return node;
    }

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static double? Number(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
}

/// <summary>A node's EXPLAIN BUFFERS counts, in 8 KiB blocks.</summary>
public sealed record PlanBuffers(double SharedHit, double SharedRead, double SharedDirtied, double SharedWritten, double TempRead, double TempWritten)
{
    /// <summary>The share of shared-buffer reads served from the cache; null when the node read no blocks.</summary>
    public double? HitRatio => SharedHit + SharedRead > 0 ? SharedHit / (SharedHit + SharedRead) : null;

    /// <summary>The counts of a JSON plan node, or null when the plan was made without BUFFERS.</summary>
    internal static PlanBuffers? Read(JsonElement e)
    {
        if (!e.TryGetProperty("Shared Hit Blocks", out _))
        {
            return null;
        }

        double Blocks(string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : 0;
        return new PlanBuffers(Blocks("Shared Hit Blocks"), Blocks("Shared Read Blocks"), Blocks("Shared Dirtied Blocks"),
            Blocks("Shared Written Blocks"), Blocks("Temp Read Blocks"), Blocks("Temp Written Blocks"));
    }
}

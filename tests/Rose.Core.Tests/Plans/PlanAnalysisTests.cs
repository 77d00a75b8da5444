using Rose.Core.Plans;

namespace Rose.Core.Tests.Plans;

/// <summary>What an EXPLAIN (ANALYZE, BUFFERS) plan is read into: each node's share of the time, misestimates and buffers.</summary>
public sealed class PlanAnalysisTests
{
    // A hash join (2 ms of its own) over a seq scan (6 ms, estimated 10 rows, found 5,000) and a hash
    // over an index scan (2 ms, estimated 400 rows, found 2): 10 ms in all.
    private const string Analyzed = """
        [{"Plan": {"Node Type": "Hash Join", "Join Type": "Inner", "Startup Cost": 1, "Total Cost": 100, "Plan Rows": 50, "Plan Width": 8,
          "Actual Startup Time": 0.1, "Actual Total Time": 10.0, "Actual Rows": 40, "Actual Loops": 1,
          "Shared Hit Blocks": 120, "Shared Read Blocks": 30, "Shared Dirtied Blocks": 0, "Shared Written Blocks": 0, "Temp Read Blocks": 0, "Temp Written Blocks": 0,
          "Plans": [
            {"Node Type": "Seq Scan", "Relation Name": "orders", "Alias": "o", "Startup Cost": 0, "Total Cost": 60, "Plan Rows": 10, "Plan Width": 8,
             "Actual Startup Time": 0.01, "Actual Total Time": 6.0, "Actual Rows": 5000, "Actual Loops": 1,
             "Shared Hit Blocks": 100, "Shared Read Blocks": 30, "Shared Dirtied Blocks": 0, "Shared Written Blocks": 0, "Temp Read Blocks": 0, "Temp Written Blocks": 0},
            {"Node Type": "Hash", "Startup Cost": 5, "Total Cost": 5, "Plan Rows": 400, "Plan Width": 8,
             "Actual Startup Time": 2.0, "Actual Total Time": 2.0, "Actual Rows": 2, "Actual Loops": 1,
             "Shared Hit Blocks": 20, "Shared Read Blocks": 0, "Shared Dirtied Blocks": 0, "Shared Written Blocks": 0, "Temp Read Blocks": 0, "Temp Written Blocks": 0,
             "Plans": [
               {"Node Type": "Index Scan", "Relation Name": "customers", "Index Name": "customers_pkey", "Startup Cost": 0, "Total Cost": 5, "Plan Rows": 400, "Plan Width": 8,
                "Actual Startup Time": 0.1, "Actual Total Time": 2.0, "Actual Rows": 2, "Actual Loops": 1,
                "Shared Hit Blocks": 20, "Shared Read Blocks": 0, "Shared Dirtied Blocks": 0, "Shared Written Blocks": 0, "Temp Read Blocks": 0, "Temp Written Blocks": 0}
             ]}
          ]},
          "Planning Time": 0.2, "Execution Time": 10.1}]
        """;

    [Fact]
    public void Analyzed_SharesOfTime_AddUpToTheWhole()
    {
        var plan = ExplainPlan.Parse(Analyzed)!;

        var nodes = plan.Flatten();
        Assert.Equal(0.2, nodes[0].Share!.Value, 3);   // join: 10 - 6 - 2
        Assert.Equal(0.6, nodes[1].Share!.Value, 3);   // seq scan
        Assert.Equal(0.0, nodes[2].Share!.Value, 3);   // hash: nothing of its own
        Assert.Equal(0.2, nodes[3].Share!.Value, 3);   // index scan
        Assert.Equal(1.0, nodes.Sum(n => n.Share!.Value), 3);
    }

    [Fact]
    public void Analyzed_EstimatesOffByTenTimes_AreFlaggedBothWays()
    {
        var nodes = ExplainPlan.Parse(Analyzed)!.Flatten();

        Assert.Null(nodes[0].Misestimate);                   // 50 estimated, 40 found
        Assert.Equal(500, nodes[1].Misestimate!.Value, 3);   // 10 estimated, 5,000 found
        Assert.Equal(1 / 200.0, nodes[3].Misestimate!.Value, 6); // 400 estimated, 2 found
    }

    [Fact]
    public void Buffers_AreRead_WithTheCacheHitRatio()
    {
        var scan = ExplainPlan.Parse(Analyzed)!.Flatten()[1];

        Assert.Equal(new PlanBuffers(100, 30, 0, 0, 0, 0), scan.Buffers);
        Assert.Equal(100 / 130.0, scan.Buffers!.HitRatio!.Value, 6);
    }

    [Fact]
    public void PlainExplain_HasNoSharesMisestimatesOrBuffers()
    {
        var plan = ExplainPlan.Parse("""[{"Plan": {"Node Type": "Seq Scan", "Relation Name": "t", "Startup Cost": 0, "Total Cost": 10, "Plan Rows": 5}}]""")!;

        var node = Assert.Single(plan.Flatten());
        Assert.False(plan.Analyzed);
        Assert.Null(node.Share);
        Assert.Null(node.Misestimate);
        Assert.Null(node.Buffers);
    }
}

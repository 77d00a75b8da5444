using System.Text;
using Rose.Core.Execution;
using Rose.Core.Export;
using Rose.Core.Plans;

namespace Rose.Core.Tests.Plans;

/// <summary>Hand-typed EXPLAIN output (PostgreSQL's text format) read into the plan tree, and the export sink's statement choice.</summary>
public sealed class ExplainTextPlanTests
{
    // Real PostgreSQL 15 output of EXPLAIN ANALYZE over a join with an InitPlan and a node that never ran.
    private static readonly string[] Analyzed =
    [
        "Hash Join  (cost=1.45..30.10 rows=50 width=13) (actual time=0.050..0.400 rows=50 loops=1)",
        "  Hash Cond: (e.id = w.id)",
        "  InitPlan 1 (returns $0)",
        "    ->  Result  (cost=0.00..0.01 rows=1 width=4) (actual time=0.001..0.001 rows=1 loops=1)",
        "  ->  Seq Scan on events e  (cost=0.00..1637.00 rows=100000 width=13) (actual time=0.010..0.300 rows=51 loops=1)",
        "        Filter: (id > $0)",
        "  ->  Hash  (cost=0.50..0.50 rows=50 width=4) (actual time=0.020..0.021 rows=50 loops=1)",
        "        Buckets: 1024  Batches: 1  Memory Usage: 10kB",
        "        ->  Index Only Scan using widgets_pkey on widgets w  (cost=0.14..0.50 rows=50 width=4) (actual time=0.005..0.012 rows=50 loops=1)",
        "              Heap Fetches: 0",
        "  ->  Bitmap Index Scan on events_kind_idx  (cost=0.00..4.30 rows=10 width=0) (never executed)",
        "Planning Time: 0.210 ms",
        "Execution Time: 0.450 ms",
    ];

    [Fact]
    public void Parse_AnalyzedText_BuildsTreeByIndentation()
    {
        var plan = ExplainTextPlan.Parse(Analyzed);

        Assert.NotNull(plan);
        Assert.True(plan.Analyzed);
        Assert.Equal(0.210, plan.PlanningMs);
        Assert.Equal(0.450, plan.ExecutionMs);
        var nodes = plan.Flatten();
        Assert.Equal(["Hash Join", "Result", "Seq Scan", "Hash", "Index Only Scan", "Bitmap Index Scan"], nodes.Select(n => n.NodeType));
        Assert.Equal([0, 1, 1, 1, 2, 1], nodes.Select(n => n.Depth));
        Assert.Equal(("events", "e"), (nodes[2].Relation, nodes[2].Alias));
        Assert.Equal(("widgets", "widgets_pkey"), (nodes[4].Relation, nodes[4].IndexName));
        Assert.Equal((null, "events_kind_idx"), (nodes[5].Relation, nodes[5].IndexName));
        Assert.Equal(51, nodes[2].ActualRows);
        Assert.Equal(0.300, nodes[2].ActualTotalTime);
        Assert.Equal(0, nodes[5].ActualLoops);
        Assert.Equal(1637.00, nodes[2].TotalCost);
    }

    [Fact]
    public void Parse_CostsOnlyText_IsNotAnalyzed()
    {
        var plan = ExplainTextPlan.Parse(["Seq Scan on widgets  (cost=0.00..1.50 rows=50 width=36)"]);

        Assert.NotNull(plan);
        Assert.False(plan.Analyzed);
        Assert.Equal("widgets", plan.Root.Relation);
        Assert.Equal(50, plan.Root.PlanRows);
    }

    [Theory]
    [InlineData("[{\"Plan\": {}}]")]
    [InlineData("<explain xmlns=\"http://www.postgresql.org/2009/explain\">")]
    [InlineData("- Plan: ")]
    [InlineData("Seq Scan on widgets")]
    public void Parse_NotATextPlan_ReturnsNull(string firstLine) => Assert.Null(ExplainTextPlan.Parse([firstLine, "  more"]));

    [Fact]
    public async Task CsvRowSink_WantedStatement_WritesOnlyThatResultSet()
    {
        using var stream = new MemoryStream();
        var sink = new CsvRowSink(stream, _ => Task.CompletedTask, wanted: 1);
        await sink.BeginResultAsync(0, [new ResultColumn("a", "int")], CancellationToken.None);
        await sink.WriteRowAsync(0, ["skipped"], CancellationToken.None);
        Assert.False(sink.Started);
        await sink.BeginResultAsync(1, [new ResultColumn("b", "int")], CancellationToken.None);
        await sink.WriteRowAsync(1, ["kept"], CancellationToken.None);
        await sink.BeginResultAsync(2, [new ResultColumn("c", "int")], CancellationToken.None);
        await sink.WriteRowAsync(2, ["after"], CancellationToken.None);
        await sink.FlushAsync(CancellationToken.None);

        Assert.True(sink.Started);
        Assert.Equal(1, sink.Rows);
        Assert.Equal("b\r\nkept\r\n", Encoding.UTF8.GetString(stream.ToArray()));
    }
}

using Bunit;
using Rose.Console.Components.Pages.Workbench;
using Rose.Core.Execution;
using Rose.Core.Plans;
using Rose.Core.Policy;
using Rose.Core.Sql;

namespace Rose.Console.Tests.Components.Workbench;

/// <summary>The workbench's result parts, rendered on their own: the result grid, the plan tree and the results panel.</summary>
public sealed class WorkbenchComponentTests : ComponentTestContext, IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    // MudBlazor's KeyInterceptorService is only IAsyncDisposable: dispose the context asynchronously
    // (the synchronous Dispose xunit calls afterwards then finds it already disposed).
    async Task IAsyncLifetime.DisposeAsync() => await base.DisposeAsync();

    private static StatementResult Result(int rows)
    {
        var result = new StatementResult { Index = 0, Tag = "SELECT", Columns = [new ResultColumn("id", "integer"), new ResultColumn("note", "text")], RowCount = rows };
        for (var i = 1; i <= rows; i++)
        {
            result.Rows.Add([i.ToString(System.Globalization.CultureInfo.InvariantCulture), i % 2 == 0 ? null : $"note\t{i}"]);
        }

        return result;
    }

    [Fact]
    public void ResultGrid_RendersColumnsWithTypesAndNullCells()
    {
        var cut = Render<ResultGrid>(p => p.Add(c => c.Statement, Result(3)));

        var headers = cut.FindAll("thead th");
        Assert.Equal(3, headers.Count);
        Assert.Contains("text", headers[2].TextContent, StringComparison.Ordinal);
        Assert.Equal("NULL", cut.Find("td.rg-null").TextContent);
    }

    [Fact]
    public void ResultGrid_ClickingACellCopiesItsValue_AndTheRowNumberCopiesTheRowAsTsv()
    {
        var copied = new List<string>();
        var cut = Render<ResultGrid>(p => p.Add(c => c.Statement, Result(2)).Add(c => c.OnCopy, s => copied.Add(s)));

        cut.FindAll("tbody td").First(td => td.TextContent == "note\t1").Click();
        cut.FindAll("tbody td.rg-rownum")[0].Click();
        cut.Find("td.rg-null").Click();

        Assert.Equal(["note\t1", "1\tnote 1", string.Empty], copied);
    }

    [Fact]
    public void ResultGrid_LongValuesAreShortenedInTheCell_ButCopiedWhole()
    {
        var statement = new StatementResult { Index = 0, Tag = "SELECT", Columns = [new ResultColumn("doc", "text")], RowCount = 1 };
        var long_ = new string('x', 300);
        statement.Rows.Add([long_]);
        string? copied = null;
        var cut = Render<ResultGrid>(p => p.Add(c => c.Statement, statement).Add(c => c.OnCopy, s => copied = s));

        var cell = cut.FindAll("tbody td")[1];
        Assert.Equal(201, cell.TextContent.Length);
        cell.Click();
        Assert.Equal(long_, copied);
    }

    [Fact]
    public void PlanTree_AnalyzedPlan_ShowsActualColumnsAndHighlightsTheCostliestNode()
    {
        const string json = """
            [{"Plan": {"Node Type": "Hash Join", "Join Type": "Inner", "Startup Cost": 1, "Total Cost": 100, "Plan Rows": 10,
                       "Actual Rows": 10, "Actual Total Time": 50.5, "Actual Loops": 1,
                       "Plans": [
                         {"Node Type": "Seq Scan", "Relation Name": "orders", "Startup Cost": 0, "Total Cost": 80, "Plan Rows": 5000,
                          "Actual Rows": 5000, "Actual Total Time": 45.25, "Actual Loops": 1},
                         {"Node Type": "Index Scan", "Relation Name": "customers", "Index Name": "customers_pkey", "Startup Cost": 0, "Total Cost": 8, "Plan Rows": 1,
                          "Actual Rows": 1, "Actual Total Time": 0.01, "Actual Loops": 10}]},
              "Planning Time": 0.2, "Execution Time": 51.0}]
            """;
        var plan = ExplainPlan.Parse(json)!;
        var cut = Render<PlanTree>(p => p.Add(c => c.Plan, plan));

        Assert.Contains("EXPLAIN ANALYZE", cut.Find(".pt-summary").TextContent, StringComparison.Ordinal);
        Assert.Contains("Actual rows", cut.Find("thead").TextContent, StringComparison.Ordinal);
        var nodes = cut.FindAll("[data-testid=plan-node]");
        Assert.Equal(3, nodes.Count);
        var scan = nodes.Single(n => n.TextContent.Contains("Seq Scan", StringComparison.Ordinal));
        Assert.Equal("5,000", scan.QuerySelector("[data-testid=actual-rows]")!.TextContent);
        Assert.Contains("pt-hot", scan.ClassName ?? string.Empty, StringComparison.Ordinal);
        Assert.Contains("using customers_pkey", cut.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void ResultsPanel_BeforeAnyRun_ExplainsTheKeys()
    {
        var cut = Render<ResultsPanel>();

        Assert.Contains("Ctrl", cut.Markup, StringComparison.Ordinal);
        Assert.Contains("runs everything", cut.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void ResultsPanel_Denied_ListsTheReasons()
    {
        var decision = new PolicyDecision(Decision.Deny, ["DROP is not in allowed_operations"], []);
        var run = new RunView
        {
            Sql = "DROP TABLE t",
            EditorText = "DROP TABLE t",
            Outcome = new ExecutionOutcome(OutcomeStatus.Denied, 7, new SqlBatch("DROP TABLE t", []), decision),
        };
        var cut = Render<ResultsPanel>(p => p.Add(c => c.Run, run));

        var denied = cut.Find("[data-testid=denied]");
        Assert.Contains("Denied: nothing ran", denied.TextContent, StringComparison.Ordinal);
        Assert.Contains("DROP is not in allowed_operations", denied.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void ResultsPanel_TruncatedResult_SaysHowManyRowsAreShownAndExports()
    {
        var statement = Result(2);
        statement.RowCount = 100_000;
        statement.Truncated = true;
        var result = new ExecutionResult { Status = ExecutionStatus.Succeeded, ReadOnly = true };
        result.Statements.Add(statement);
        var run = new RunView
        {
            Sql = "SELECT 1",
            EditorText = "SELECT 1",
            Outcome = new ExecutionOutcome(OutcomeStatus.Succeeded, 8, new SqlBatch("SELECT 1", []), new PolicyDecision(Decision.Allow, [], []), result),
        };
        int? exported = null;
        var cut = Render<ResultsPanel>(p => p.Add(c => c.Run, run).Add(c => c.OnExport, i => exported = i));

        Assert.Equal("100,000 rows", cut.Find("[data-testid=row-count]").TextContent);
        Assert.Contains("Showing the first 2 of 100,000 rows", cut.Find("[data-testid=truncated]").TextContent, StringComparison.Ordinal);
        cut.Find("[data-testid=export-result]").Click();
        Assert.Equal(0, exported);
    }
    [Fact]
    public void ResultsPanel_PartOfTheEditorRan_SaysWhereItBeganSoStatementNumbersReadRight()
    {
        const string editor = "SELECT 1;\nDELETE FROM t WHERE false";
        var error = new ExecutionResult { Status = ExecutionStatus.Failed, Error = new SqlError("42501", "The prior backup of statement 1 (DELETE) failed") };
        var run = new RunView
        {
            Sql = "DELETE FROM t WHERE false",
            BaseOffset = editor.IndexOf("DELETE", StringComparison.Ordinal),
            EditorText = editor,
            Outcome = new ExecutionOutcome(OutcomeStatus.Failed, 9, new SqlBatch("DELETE FROM t WHERE false", []), new PolicyDecision(Decision.Allow, [], []), error),
        };
        var cut = Render<ResultsPanel>(p => p.Add(c => c.Run, run));

        Assert.Equal("Ran part of the editor, from line 2, column 1; statements below are numbered from there.",
            cut.Find("[data-testid=run-part]").TextContent);
        Assert.Contains("statement 1 (DELETE)", cut.Find("[data-testid=sql-error]").TextContent, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SELECT 1", "SELECT 1", null)]
    [InlineData("SELECT 1", "  SELECT 1\n", null)]
    [InlineData("SELECT 1", "SELECT 1; SELECT 2", null)]
    [InlineData("SELECT 1", "SELECT 1; SELECT 2", "explain")]
    public void ResultsPanel_NamesWhereTheRunBegan_OnlyForAPartialRunThatIsNotAPlan(string sql, string editor, string? explain)
    {
        var result = new ExecutionResult { Status = ExecutionStatus.Succeeded, ReadOnly = true };
        var run = new RunView
        {
            Sql = sql,
            EditorText = editor,
            Explain = explain,
            Outcome = new ExecutionOutcome(OutcomeStatus.Succeeded, 10, new SqlBatch(sql, []), new PolicyDecision(Decision.Allow, [], []), result),
        };
        var cut = Render<ResultsPanel>(p => p.Add(c => c.Run, run));

        var expectPart = explain is null && editor.Trim() != sql;
        Assert.Equal(expectPart, cut.FindAll("[data-testid=run-part]").Count == 1);
    }
}

using System.Text;
using Rose.Core.Execution;
using Rose.Core.Export;
using Rose.Core.Plans;
using Rose.Core.Sql;
using Rose.Core.Sql.Editing;

namespace Rose.Core.Tests.Workbench;

/// <summary>The workbench's pure pieces: formatting, cursor→statement, offsets, plan parsing, CSV quoting.</summary>
public sealed class WorkbenchLogicTests
{
    [Theory]
    [InlineData("select a,b from t where x = 'from where select' order by a", "SELECT a,b\nFROM t\nWHERE x = 'from where select'\nORDER BY a")]
    [InlineData("select * from a left outer join b on a.id=b.id", "SELECT *\nFROM a\nLEFT OUTER JOIN b ON a.id=b.id")]
    [InlineData("select $$ select   from $$ as body -- from here\nfrom t", "SELECT $$ select   from $$ AS body -- from here\nFROM t")]
    [InlineData("select \"From\" from t", "SELECT \"From\"\nFROM t")]
    public void Format_Query_KeepsLiteralsAndBreaksClauses(string input, string expected) =>
        Assert.Equal(expected, SqlFormatter.Format(input));

    [Fact]
    public void Format_TwoStatements_SeparatesThemWithABlankLine() =>
        Assert.Equal("SELECT 1;\n\nSELECT 2;\n", SqlFormatter.Format("select 1; select 2;"));

    /// <summary>The lexer, not a rule of the formatter's own, decides where comments and strings end (issue 14).</summary>
    [Theory]
    [InlineData("select 1; --x\rselect 2", "SELECT 1;\n\n--x\nSELECT 2")]
    [InlineData("select U&'d\\0061t' , E'it\\'s from' from t", "SELECT U&'d\\0061t' , E'it\\'s from'\nFROM t")]
    [InlineData("select /* a /* nested */ from */ 1 from t", "SELECT /* a /* nested */ from */ 1\nFROM t")]
    [InlineData("select 'unterminated from t", "select 'unterminated from t")]
    public void Format_LexerDecidesCommentsAndStrings(string input, string expected) =>
        Assert.Equal(expected, SqlFormatter.Format(input));

    [Fact]
    public void Tokenize_AnyText_ConcatenatesBackToTheInput()
    {
        const string sql = "SELECT \"a;b\", $q$ -- $q$, 1_000 /* x */ FROM t --\r\n;";
        var tokens = SqlTokenizer.Tokenize(sql);
        Assert.Equal(sql, string.Concat(tokens.Select(t => t.Text)));
        Assert.Contains(tokens, t => t.Kind == TokenKind.Literal && t.Text == "$q$ -- $q$");
        Assert.Contains(tokens, t => t.Kind == TokenKind.Word && t.Text == "\"a;b\"");
        Assert.Contains(tokens, t => t.Kind == TokenKind.LineComment && t.Text == "--");
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(9, 0)]
    [InlineData(10, 1)]
    [InlineData(30, 1)]
    public void At_CursorOffset_FindsStatementUnderCursor(int cursor, int expectedIndex)
    {
        var batch = new SqlBatch("SELECT 1; SELECT 2;", [Statement(0, 0, 8), Statement(1, 10, 8)]);
        Assert.Equal(expectedIndex, StatementLocator.At(batch, cursor)!.Index);
    }

    [Theory]
    [InlineData("abc", 2, 1, 3)]
    [InlineData("a\nbc", 3, 2, 2)]
    [InlineData("a\r\nbc", 4, 2, 2)]
    [InlineData("a\rb", 2, 2, 1)]
    public void ToLineColumn_Offset_IsOneBasedLineAndColumn(string text, int offset, int line, int column) =>
        Assert.Equal((line, column), StatementLocator.ToLineColumn(text, offset));

    [Fact]
    public void Parse_AnalyzedPlan_MarksNodesWithMostExclusiveTime()
    {
        const string json = """
            [{"Plan": {"Node Type": "Hash Join", "Startup Cost": 1, "Total Cost": 100, "Plan Rows": 10,
              "Actual Total Time": 50, "Actual Rows": 10, "Actual Loops": 1, "Plans": [
                {"Node Type": "Seq Scan", "Relation Name": "a", "Startup Cost": 0, "Total Cost": 40, "Plan Rows": 1000,
                 "Actual Total Time": 30, "Actual Rows": 1000, "Actual Loops": 1},
                {"Node Type": "Hash", "Startup Cost": 0, "Total Cost": 20, "Plan Rows": 10,
                 "Actual Total Time": 2, "Actual Rows": 10, "Actual Loops": 1, "Plans": [
                   {"Node Type": "Index Scan", "Relation Name": "b", "Startup Cost": 0, "Total Cost": 19, "Plan Rows": 10,
                    "Actual Total Time": 1.5, "Actual Rows": 10, "Actual Loops": 1}]}]},
              "Planning Time": 0.2, "Execution Time": 50.5}]
            """;
        var plan = ExplainPlan.Parse(json, hotCount: 2)!;

        Assert.True(plan.Analyzed);
        var nodes = plan.Flatten();
        Assert.Equal(["Hash Join", "Seq Scan", "Hash", "Index Scan"], nodes.Select(n => n.NodeType));
        Assert.Equal(18, nodes[0].Exclusive, 3);
        Assert.Equal(["Hash Join", "Seq Scan"], nodes.Where(n => n.Hot).Select(n => n.NodeType));
        Assert.Equal(50.5, plan.ExecutionMs);
    }

    [Fact]
    public void Parse_NotAPlan_ReturnsNull() => Assert.Null(ExplainPlan.Parse("{\"x\": 1}"));

    [Fact]
    public async Task WriteRowAsync_SpecialValues_AreQuotedPerRfc4180()
    {
        using var stream = new MemoryStream();
        var started = false;
        var sink = new CsvRowSink(stream, _ => { started = true; return Task.CompletedTask; });
        await sink.BeginResultAsync(0, [new ResultColumn("a", "text"), new ResultColumn("b", "text")], CancellationToken.None);
        await sink.WriteRowAsync(0, ["plain", null], CancellationToken.None);
        await sink.WriteRowAsync(0, ["x,y", "say \"hi\""], CancellationToken.None);
        await sink.WriteRowAsync(0, ["two\nlines", ""], CancellationToken.None);
        await sink.BeginResultAsync(1, [new ResultColumn("c", "int")], CancellationToken.None);
        await sink.WriteRowAsync(1, ["ignored"], CancellationToken.None);
        await sink.FlushAsync(CancellationToken.None);

        Assert.True(started);
        Assert.Equal(3, sink.Rows);
        Assert.Equal("a,b\r\nplain,\r\n\"x,y\",\"say \"\"hi\"\"\"\r\n\"two\nlines\",\"\"\r\n", Encoding.UTF8.GetString(stream.ToArray()));
    }

    private static SqlStatement Statement(int index, int start, int length) =>
        new(index, start, length, "SELECT x", "SelectStmt", "SELECT", ["SELECT"], [], false, false, false, false, StatementKind.Read, false, null);
}

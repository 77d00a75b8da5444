using Rose.Core.Advisor;

namespace Rose.Core.Tests.Advisor;

/// <summary>What the index advisor reads from the real parser's tree: relations, and how each column is used.</summary>
public sealed class QueryShapeTests
{
    [Fact]
    public void Read_JoinFilterAndSort_GivesEachColumnItsUse()
    {
        var scopes = QueryShape.Read(
            "SELECT o.id FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.status = 'open' AND o.total > 10 ORDER BY o.created_at")!;

        var scope = Assert.Single(scopes);
        Assert.Equal([new QueryRelation(null, "orders", "o"), new QueryRelation(null, "customers", "c")], scope.Relations);
        Assert.Contains(new QueryColumn("o", "customer_id", ColumnUse.Join), scope.Columns);
        Assert.Contains(new QueryColumn("c", "id", ColumnUse.Join), scope.Columns);
        Assert.Contains(new QueryColumn("o", "status", ColumnUse.Equality), scope.Columns);
        Assert.Contains(new QueryColumn("o", "total", ColumnUse.Range), scope.Columns);
        Assert.Contains(new QueryColumn("o", "created_at", ColumnUse.Sort), scope.Columns);
    }

    [Fact]
    public void Read_SubqueryAndDelete_AreScopesOfTheirOwn()
    {
        var scopes = QueryShape.Read("DELETE FROM app.sessions WHERE user_id IN (SELECT id FROM users WHERE disabled IS NULL)")!;

        Assert.Equal(2, scopes.Count);
        Assert.Equal(new QueryRelation("app", "sessions", null), Assert.Single(scopes[0].Relations));
        Assert.Contains(new QueryColumn(null, "user_id", ColumnUse.Equality), scopes[0].Columns);
        Assert.Contains(new QueryColumn(null, "disabled", ColumnUse.Equality), scopes[1].Columns);
    }

    [Fact]
    public void Read_Unparseable_IsNull() => Assert.Null(QueryShape.Read("SELEC nothing"));

    [Fact]
    public void IsCovered_OnlyByAnIndexWhoseLeadingColumnsMatch()
    {
        var table = new CatalogTable("public", "t", 10, ["a", "b", "c"], [["a", "b"]]);

        Assert.True(table.IsCovered(["a"]));
        Assert.True(table.IsCovered(["a", "b"]));
        Assert.False(table.IsCovered(["b"]));
        Assert.False(table.IsCovered(["a", "c"]));
    }
}

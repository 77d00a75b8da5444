using Rose.Core.Sql;
using Rose.Core.Undo;

namespace Rose.Core.Tests.Undo;

/// <summary>Which rows a prior backup copies, derived from the real parser's tree; anything uncertain is refused.</summary>
public sealed class PriorBackupPlannerTests
{
    private static readonly PgQueryClassifier Classifier = new();

    private static BatchBackupPlan Plan(string sql) => PriorBackupPlanner.Plan(Classifier.Classify(sql));

    [Theory]
    [InlineData("DELETE FROM items WHERE id = 1", "id = 1")]
    [InlineData("DELETE FROM items WHERE id IN (SELECT id FROM old WHERE x > 1) RETURNING *", "id IN (SELECT id FROM old WHERE x > 1)")]
    [InlineData("UPDATE items SET n = (SELECT max(n) FROM other WHERE other.id = items.id) WHERE a = 'where' AND b = 2", "a = 'where' AND b = 2")]
    [InlineData("UPDATE items AS i SET n = 1 WHERE i.id > 3 -- trailing comment", "i.id > 3")]
    [InlineData("UPDATE items AS i SET n = 1 WHERE i.id > 3 -- inner\n AND i.n < 2", "i.id > 3 -- inner\n AND i.n < 2")]
    [InlineData("delete from s.items where \"returning\" = 1 returning id", "\"returning\" = 1")]
    public void Plan_RowsStatement_CutsTheProvenWhereCondition(string sql, string where)
    {
        var plan = Plan(sql);

        Assert.Null(plan.Unavailable);
        var statement = Assert.Single(plan.Statements);
        Assert.Equal(where, statement.Where);
    }

    [Fact]
    public void Plan_DeleteWithoutWhere_BacksUpTheWholeTable()
    {
        var statement = Assert.Single(Plan("DELETE FROM ONLY public.items").Statements);

        Assert.Null(statement.Where);
        Assert.Equal(new BackupRelation("public", "items", true, null), Assert.Single(statement.Relations));
    }

    [Fact]
    public void Plan_TruncateAndDrop_NameEveryTable()
    {
        var plan = Plan("TRUNCATE a, s.b; DROP TABLE IF EXISTS c");

        Assert.Equal(["a", "b"], plan.Statements[0].Relations.Select(r => r.Name));
        Assert.True(plan.Statements[1].KeepDefinition);
        Assert.True(plan.Statements[1].SkipMissing);
    }

    [Fact]
    public void Plan_FunctionsInWhere_AreListedForTheVolatilityCheck()
    {
        var statement = Assert.Single(Plan("DELETE FROM items WHERE created < now() - interval '1 day' AND random() < 0.5").Statements);

        Assert.Equal(["now", "random"], statement.Functions.Order());
    }

    [Theory]
    [InlineData("DELETE FROM items USING other WHERE items.id = other.id", "USING")]
    [InlineData("UPDATE items SET n = o.n FROM other o WHERE items.id = o.id", "FROM")]
    [InlineData("WITH gone AS (DELETE FROM items RETURNING *) SELECT count(*) FROM gone", "nested")]
    [InlineData("TRUNCATE items CASCADE", "CASCADE")]
    [InlineData("DROP TABLE items CASCADE", "CASCADE")]
    [InlineData("DELETE FROM items WHERE CURRENT OF c", "CURRENT OF")]
    [InlineData("EXPLAIN ANALYZE DELETE FROM items", "nested")]
    public void Plan_UncertainRows_IsUnavailableWithReason(string sql, string reason)
    {
        var plan = Plan(sql);

        Assert.Empty(plan.Statements);
        Assert.Contains(reason, plan.Unavailable, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SELECT * FROM items")]
    [InlineData("INSERT INTO items VALUES (1)")]
    [InlineData("DROP INDEX items_idx")]
    public void Plan_NothingDestructive_NeedsNoBackup(string sql) => Assert.False(Plan(sql).NeedsBackup);
}

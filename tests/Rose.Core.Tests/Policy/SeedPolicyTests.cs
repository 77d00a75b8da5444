using Rose.Core.Policy;
using Rose.Core.Sql;
using Rose.Core.Targets;

namespace Rose.Core.Tests.Policy;

/// <summary>The seed policy of PRODUCT.md through the real classifier and the real PolicyEnforcer.</summary>
public sealed class SeedPolicyTests
{
    private static readonly PgQueryClassifier Classifier = new();
    private static readonly PolicyEnforcer Enforcer = new();

    internal static readonly SqlPolicy Seed = new()
    {
        AllowedDatabases = ["argus", "artemis"],
        AllowedOperations = ["SELECT", "INSERT", "UPDATE", "DELETE", "CREATE INDEX", "CREATE TABLE"],
        RequiresApproval = ["DROP", "TRUNCATE", "ALTER TABLE"],
        Environment = "dev",
    };

    private static PolicyDecision Decide(string sql, string database = "argus", TargetEnvironment? environment = null) =>
        Enforcer.Evaluate(Seed, database, environment, Classifier.Classify(sql));

    [Theory]
    [InlineData("SELECT * FROM users", Decision.Allow)]
    [InlineData("DROP TABLE t", Decision.Approval)]
    [InlineData("DROP INDEX i", Decision.Approval)]
    [InlineData("TRUNCATE t", Decision.Approval)]
    [InlineData("ALTER TABLE t ADD COLUMN a int", Decision.Approval)]
    [InlineData("CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'", Decision.Deny)]
    [InlineData("WITH x AS (DELETE FROM t WHERE id = 1 RETURNING *) SELECT * FROM x", Decision.Allow)]
    [InlineData("SELECT pg_terminate_backend(1)", Decision.Deny)]
    [InlineData("SELECT * FROM pg_read_file('/etc/passwd')", Decision.Deny)]
    [InlineData("SELECT nextval('s')", Decision.Deny)]
    [InlineData("SELEC 1", Decision.Deny)]
    [InlineData("COPY t TO PROGRAM 'sh'", Decision.Deny)]
    [InlineData("DO $$BEGIN END$$", Decision.Deny)]
    [InlineData("SET ROLE postgres", Decision.Deny)]
    [InlineData("EXPLAIN ANALYZE DELETE FROM t", Decision.Deny)]   // EXPLAIN is not allowed by the seed
    [InlineData("PREPARE p AS DROP TABLE t", Decision.Deny)]      // not valid SQL: PREPARE takes DML only
    [InlineData("PREPARE p AS DELETE FROM t", Decision.Deny)]     // PREPARE is not allowed by the seed
    [InlineData("COMMIT; DROP TABLE x", Decision.Deny)]            // COMMIT is not allowed by the seed
    [InlineData("CREATE TABLE t (id int DEFAULT nextval('s'))", Decision.Deny)]
    public void Evaluate_SeedPolicy_ExpectedDecision(string sql, Decision expected) =>
        Assert.Equal(expected, Decide(sql).Decision);

    [Fact]
    public void Evaluate_Unparseable_DenyWithReason()
    {
        var decision = Decide("SELECT 1; SELEC 2");
        Assert.Equal(Decision.Deny, decision.Decision);
        Assert.Contains(decision.Reasons, r => r.Contains("UNPARSEABLE", StringComparison.Ordinal));
    }

    [Fact]
    public void Evaluate_DatabaseNotAllowed_Deny()
    {
        var decision = Decide("SELECT 1", database: "postgres");
        Assert.Equal(Decision.Deny, decision.Decision);
        Assert.Contains(decision.Reasons, r => r.Contains("allowed_databases", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("SELECT 1; DROP TABLE t", Decision.Approval)]
    [InlineData("SELECT 1; DROP TABLE t; CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'", Decision.Deny)]
    [InlineData("SELECT 1; INSERT INTO t VALUES (1)", Decision.Allow)]
    public void Evaluate_Batch_StrictestStatementWins(string sql, Decision expected) =>
        Assert.Equal(expected, Decide(sql).Decision);

    [Fact]
    public void Evaluate_DropEntry_DoesNotMatchLongerWord()
    {
        var policy = Seed with { RequiresApproval = ["DROP"], AllowedOperations = ["DROPX"] };
        var decision = Enforcer.Evaluate(policy, "argus", null, Classifier.Classify("DROP TABLE t"));
        Assert.Equal(Decision.Approval, decision.Decision);
        Assert.False(OperationMatcher.Matches("DROP", "DROPX"));
        Assert.True(OperationMatcher.Matches("DROP", "DROP TABLE"));
    }

    [Fact]
    public void Evaluate_ProdTarget_ParksCreateTable()
    {
        Assert.Equal(Decision.Allow, Decide("CREATE TABLE t (id int)").Decision);
        Assert.Equal(Decision.Approval, Decide("CREATE TABLE t (id int)", environment: TargetEnvironment.Prod).Decision);
    }

    [Theory]
    [InlineData("DELETE FROM t", Decision.Approval)]
    [InlineData("UPDATE t SET a = 1", Decision.Approval)]
    [InlineData("WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d", Decision.Approval)]
    [InlineData("DELETE FROM t WHERE id = 1", Decision.Allow)]
    public void Evaluate_StagingTarget_ParksUnfilteredDml(string sql, Decision expected)
    {
        Assert.Equal(Decision.Allow, Decide(sql).Decision);
        Assert.Equal(expected, Decide(sql, environment: TargetEnvironment.Staging).Decision);
    }

    [Fact]
    public void Evaluate_DataModifyingCte_OperationsIncludeNestedDelete()
    {
        var decision = Decide("WITH x AS (DELETE FROM t WHERE id = 1 RETURNING *) SELECT * FROM x");
        Assert.Equal(["SELECT", "DELETE"], decision.Operations);
    }
}

using Rose.Core.Sql;

namespace Rose.Core.Tests.Sql;

/// <summary>Tags, kinds and the Writes/Destructive/NoTransaction/UnfilteredDml flags.</summary>
public sealed class ClassifierFlagsTests
{
    private static readonly PgQueryClassifier Classifier = new();

    private static SqlStatement Single(string sql) => Assert.Single(Classifier.Classify(sql).Statements);

    public static TheoryData<string, string, StatementKind> TagCases => new()
    {
        { "CREATE TABLE t (id int)", "CREATE TABLE", StatementKind.Ddl },
        { "CREATE INDEX i ON t (a)", "CREATE INDEX", StatementKind.Ddl },
        { "DROP TABLE t", "DROP TABLE", StatementKind.Ddl },
        { "DROP INDEX i", "DROP INDEX", StatementKind.Ddl },
        { "DROP VIEW v", "DROP VIEW", StatementKind.Ddl },
        { "DROP MATERIALIZED VIEW v", "DROP MATERIALIZED VIEW", StatementKind.Ddl },
        { "DROP SEQUENCE s", "DROP SEQUENCE", StatementKind.Ddl },
        { "DROP SCHEMA s CASCADE", "DROP SCHEMA", StatementKind.Ddl },
        { "DROP FUNCTION f(int)", "DROP FUNCTION", StatementKind.Ddl },
        { "DROP EXTENSION e", "DROP EXTENSION", StatementKind.Ddl },
        { "DROP OWNED BY r", "DROP OWNED", StatementKind.Ddl },
        { "ALTER TABLE t ADD COLUMN b int", "ALTER TABLE", StatementKind.Ddl },
        { "ALTER INDEX i RENAME TO j", "ALTER INDEX", StatementKind.Ddl },
        { "ALTER TABLE t RENAME COLUMN a TO b", "ALTER TABLE", StatementKind.Ddl },
        { "ALTER VIEW v RENAME COLUMN a TO b", "ALTER VIEW", StatementKind.Ddl },
        { "ALTER VIEW v OWNER TO r", "ALTER VIEW", StatementKind.Ddl },
        { "ALTER SEQUENCE s RESTART", "ALTER SEQUENCE", StatementKind.Ddl },
        { "ALTER FUNCTION f() SET SCHEMA s", "ALTER FUNCTION", StatementKind.Ddl },
        { "TRUNCATE t", "TRUNCATE TABLE", StatementKind.Ddl },
        { "CREATE VIEW v AS SELECT 1", "CREATE VIEW", StatementKind.Ddl },
        { "CREATE SCHEMA s", "CREATE SCHEMA", StatementKind.Ddl },
        { "CREATE SEQUENCE s", "CREATE SEQUENCE", StatementKind.Ddl },
        { "CREATE EXTENSION dblink", "CREATE EXTENSION", StatementKind.Ddl },
        { "CREATE TYPE ty AS (a int)", "CREATE TYPE", StatementKind.Ddl },
        { "CREATE AGGREGATE a (int) (sfunc = f, stype = int)", "CREATE AGGREGATE", StatementKind.Ddl },
        { "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()", "CREATE TRIGGER", StatementKind.Ddl },
        { "COMMENT ON TABLE t IS 'x'", "COMMENT", StatementKind.Ddl },
        { "GRANT SELECT ON t TO r", "GRANT", StatementKind.Ddl },
        { "REVOKE SELECT ON t FROM r", "REVOKE", StatementKind.Ddl },
        { "GRANT r TO u", "GRANT", StatementKind.Ddl },
        { "CREATE ROLE r", "CREATE ROLE", StatementKind.Ddl },
        { "ALTER ROLE r SUPERUSER", "ALTER ROLE", StatementKind.Ddl },
        { "CREATE DATABASE d", "CREATE DATABASE", StatementKind.Ddl },
        { "DROP DATABASE d", "DROP DATABASE", StatementKind.Ddl },
        { "REFRESH MATERIALIZED VIEW mv", "REFRESH MATERIALIZED VIEW", StatementKind.Ddl },
        { "ALTER SYSTEM SET work_mem = '1GB'", "ALTER SYSTEM", StatementKind.Ddl },
        { "SHOW work_mem", "SHOW", StatementKind.Read },
        { "VACUUM t", "VACUUM", StatementKind.Utility },
        { "ANALYZE t", "ANALYZE", StatementKind.Utility },
        { "LOCK TABLE t", "LOCK TABLE", StatementKind.Utility },
        { "LISTEN c", "LISTEN", StatementKind.Utility },
        { "NOTIFY c", "NOTIFY", StatementKind.Utility },
        { "UNLISTEN *", "UNLISTEN", StatementKind.Utility },
        { "DISCARD ALL", "DISCARD ALL", StatementKind.Utility },
        { "DISCARD TEMP", "DISCARD TEMP", StatementKind.Utility },
        { "CHECKPOINT", "CHECKPOINT", StatementKind.Utility },
        { "REINDEX TABLE t", "REINDEX", StatementKind.Utility },
        { "CLUSTER t USING i", "CLUSTER", StatementKind.Utility },
        { "DECLARE c CURSOR FOR SELECT 1", "DECLARE CURSOR", StatementKind.Utility },
        { "FETCH 1 FROM c", "FETCH", StatementKind.Utility },
        { "MOVE 1 IN c", "MOVE", StatementKind.Utility },
        { "CLOSE c", "CLOSE CURSOR", StatementKind.Utility },
        { "CLOSE ALL", "CLOSE CURSOR ALL", StatementKind.Utility },
        { "DEALLOCATE p", "DEALLOCATE", StatementKind.Utility },
        { "DEALLOCATE ALL", "DEALLOCATE ALL", StatementKind.Utility },
        { "LOAD 'x'", "LOAD", StatementKind.Utility },
        { "SET CONSTRAINTS ALL DEFERRED", "SET CONSTRAINTS", StatementKind.Utility },
        { "BEGIN", "BEGIN", StatementKind.TransactionControl },
        { "START TRANSACTION", "START TRANSACTION", StatementKind.TransactionControl },
        { "COMMIT", "COMMIT", StatementKind.TransactionControl },
        { "END", "COMMIT", StatementKind.TransactionControl },
        { "ROLLBACK", "ROLLBACK", StatementKind.TransactionControl },
        { "SAVEPOINT a", "SAVEPOINT", StatementKind.TransactionControl },
        { "RELEASE a", "RELEASE", StatementKind.TransactionControl },
        { "ROLLBACK TO a", "ROLLBACK", StatementKind.TransactionControl },
        { "PREPARE TRANSACTION 'x'", "PREPARE TRANSACTION", StatementKind.TransactionControl },
        { "COMMIT PREPARED 'x'", "COMMIT PREPARED", StatementKind.TransactionControl },
        { "ROLLBACK PREPARED 'x'", "ROLLBACK PREPARED", StatementKind.TransactionControl },
    };

    [Theory]
    [MemberData(nameof(TagCases))]
    public void Classify_Statement_HasPostgresTagAndKind(string sql, string tag, StatementKind kind)
    {
        var statement = Single(sql);
        Assert.Equal(tag, statement.Tag);
        Assert.Equal(kind, statement.Kind);
        Assert.Equal(tag, statement.Operations[0]);
        Assert.Equal(kind == StatementKind.TransactionControl, statement.TransactionControl);
        // Fail closed: only reads are not writes.
        Assert.Equal(kind != StatementKind.Read, statement.Writes);
    }

    [Theory]
    [InlineData("SELECT * FROM t", false)]
    [InlineData("EXPLAIN DELETE FROM t", false)]
    [InlineData("EXPLAIN ANALYZE DELETE FROM t", true)]
    [InlineData("WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d", true)]
    [InlineData("SELECT * FROM t FOR UPDATE", true)]
    [InlineData("SELECT * INTO t2 FROM t", true)]
    [InlineData("SET x = 1", true)]
    [InlineData("DISCARD ALL", true)]
    [InlineData("LISTEN c", true)]
    [InlineData("SELECT nextval('s')", true)]
    public void Classify_Statement_WritesAsExpected(string sql, bool writes) =>
        Assert.Equal(writes, Single(sql).Writes);

    [Theory]
    [InlineData("DROP TABLE t", true)]
    [InlineData("TRUNCATE t", true)]
    [InlineData("DELETE FROM t WHERE id = 1", true)]
    [InlineData("UPDATE t SET a = 1 WHERE id = 1", true)]
    [InlineData("MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE", true)]
    [InlineData("ALTER TABLE t DROP COLUMN a", true)]
    [InlineData("ALTER TABLE t DROP CONSTRAINT c", true)]
    [InlineData("WITH d AS (DELETE FROM t RETURNING *) SELECT 1", true)]
    [InlineData("CREATE RULE r AS ON INSERT TO t DO INSTEAD DELETE FROM u", true)]
    [InlineData("ALTER TABLE t ADD COLUMN a int", false)]
    [InlineData("INSERT INTO t VALUES (1)", false)]
    [InlineData("EXPLAIN DELETE FROM t", false)]
    [InlineData("SELECT 1", false)]
    public void Classify_Statement_DestructiveAsExpected(string sql, bool destructive) =>
        Assert.Equal(destructive, Single(sql).Destructive);

    [Theory]
    [InlineData("VACUUM t", true)]
    [InlineData("VACUUM (FULL) t", true)]
    [InlineData("ANALYZE t", false)]
    [InlineData("CREATE DATABASE d", true)]
    [InlineData("DROP DATABASE d", true)]
    [InlineData("CREATE TABLESPACE ts LOCATION '/x'", true)]
    [InlineData("DROP TABLESPACE ts", true)]
    [InlineData("ALTER SYSTEM SET work_mem = '1GB'", true)]
    [InlineData("CREATE INDEX CONCURRENTLY i ON t (a)", true)]
    [InlineData("CREATE INDEX i ON t (a)", false)]
    [InlineData("DROP INDEX CONCURRENTLY i", true)]
    [InlineData("DROP INDEX i", false)]
    [InlineData("REINDEX (CONCURRENTLY) TABLE t", true)]
    [InlineData("REINDEX TABLE CONCURRENTLY t", true)]
    [InlineData("REINDEX TABLE t", false)]
    [InlineData("REINDEX DATABASE d", true)]
    [InlineData("REINDEX SYSTEM d", true)]
    [InlineData("CLUSTER", true)]
    [InlineData("CLUSTER t USING i", false)]
    [InlineData("SELECT 1", false)]
    public void Classify_Statement_NoTransactionAsExpected(string sql, bool noTransaction) =>
        Assert.Equal(noTransaction, Single(sql).NoTransaction);

    [Theory]
    [InlineData("DELETE FROM t", true)]
    [InlineData("UPDATE t SET a = 1", true)]
    [InlineData("DELETE FROM t WHERE id = 1", false)]
    [InlineData("UPDATE t SET a = 1 WHERE CURRENT OF c", false)]
    [InlineData("WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d", true)]
    [InlineData("WITH d AS (DELETE FROM t WHERE a = 1 RETURNING *) SELECT * FROM d", false)]
    [InlineData("WITH d AS (UPDATE t SET a = 1 WHERE a = 2 RETURNING *) DELETE FROM u", true)]
    [InlineData("EXPLAIN ANALYZE DELETE FROM t", true)]
    [InlineData("EXPLAIN DELETE FROM t", false)]
    [InlineData("INSERT INTO t VALUES (1)", false)]
    public void Classify_Statement_UnfilteredDmlAsExpected(string sql, bool unfiltered) =>
        Assert.Equal(unfiltered, Single(sql).UnfilteredDml);

    [Theory]
    [InlineData("SELECT * FROM a JOIN s.b ON true", new[] { "a", "s.b" })]
    [InlineData("DROP TABLE a.b, c", new[] { "a.b", "c" })]
    [InlineData("TRUNCATE x, y.z", new[] { "x", "y.z" })]
    [InlineData("INSERT INTO t SELECT * FROM u WHERE EXISTS (SELECT 1 FROM t)", new[] { "t", "u" })]
    [InlineData("DROP SCHEMA s", new[] { "s" })]
    public void Classify_Statement_ListsObjects(string sql, string[] objects) =>
        Assert.Equal(objects, Single(sql).Objects);

    [Fact]
    public void Classify_SelectInto_IsDdlSoProdParksIt()
    {
        var statement = Single("SELECT * INTO t2 FROM t");
        Assert.Equal(StatementKind.Ddl, statement.Kind);
    }

    [Fact]
    public void Classify_DataModifyingCte_IsDml()
    {
        var statement = Single("WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d");
        Assert.Equal(StatementKind.Dml, statement.Kind);
    }
}

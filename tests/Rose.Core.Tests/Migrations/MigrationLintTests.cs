using Rose.Core.Migrations.Lint;
using Rose.Core.Sql;

namespace Rose.Core.Tests.Migrations;

/// <summary>Every lint rule, table-driven: SQL in, the findings of that rule out; each rule has bad and good examples.</summary>
public sealed class MigrationLintTests
{
    private static readonly PgQueryClassifier Classifier = new();

    private static readonly LintContext Context = new(new Dictionary<string, long> { ["big"] = 5_000_000, ["small"] = 10 }, 100_000);

    public static TheoryData<string, string, LintSeverity?> Cases => new()
    {
        // rule id, SQL, expected severity (null = the rule must stay silent)
        { "adding-field-with-default", "ALTER TABLE t ADD COLUMN c uuid DEFAULT gen_random_uuid()", LintSeverity.Error },
        { "adding-field-with-default", "ALTER TABLE t ADD COLUMN c float DEFAULT random() * 10", LintSeverity.Error },
        { "adding-field-with-default", "ALTER TABLE t ADD COLUMN c int DEFAULT abs(1)", LintSeverity.Warning },
        { "adding-field-with-default", "ALTER TABLE t ADD COLUMN c text GENERATED ALWAYS AS (lower(b)) STORED", LintSeverity.Error },
        { "adding-field-with-default", "ALTER TABLE t ADD COLUMN c timestamptz DEFAULT now()", null },
        { "adding-field-with-default", "ALTER TABLE t ADD COLUMN c int DEFAULT 1", null },
        { "adding-field-with-default", "CREATE TABLE t (c uuid DEFAULT gen_random_uuid())", null },
        { "adding-foreign-key-constraint", "ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES u (id)", LintSeverity.Warning },
        { "adding-foreign-key-constraint", "ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES u (id) NOT VALID", null },
        { "adding-foreign-key-constraint", "CREATE TABLE t (a int REFERENCES u (id))", null },
        { "adding-not-nullable-field", "ALTER TABLE t ALTER COLUMN c SET NOT NULL", LintSeverity.Warning },
        { "adding-not-nullable-field", "ALTER TABLE t ALTER COLUMN c DROP DEFAULT", null },
        { "adding-required-field", "ALTER TABLE t ADD COLUMN c int NOT NULL", LintSeverity.Error },
        { "adding-required-field", "ALTER TABLE t ADD COLUMN c int NOT NULL DEFAULT 0", null },
        { "adding-required-field", "ALTER TABLE t ADD COLUMN c int", null },
        { "adding-serial-primary-key-field", "ALTER TABLE t ADD PRIMARY KEY (id)", LintSeverity.Warning },
        { "adding-serial-primary-key-field", "ALTER TABLE t ADD COLUMN id bigserial PRIMARY KEY", LintSeverity.Warning },
        { "adding-serial-primary-key-field", "ALTER TABLE t ADD CONSTRAINT p PRIMARY KEY USING INDEX i", null },
        { "ban-alter-domain-with-add-constraint", "ALTER DOMAIN d ADD CONSTRAINT c CHECK (VALUE > 0)", LintSeverity.Warning },
        { "ban-alter-domain-with-add-constraint", "ALTER DOMAIN d SET DEFAULT 1", null },
        { "ban-char-field", "CREATE TABLE t (c char(3))", LintSeverity.Warning },
        { "ban-char-field", "ALTER TABLE t ADD COLUMN c character(3)", LintSeverity.Warning },
        { "ban-char-field", "CREATE TABLE t (c text, d \"char\"[])", null },
        { "ban-concurrent-index-creation-in-transaction", "BEGIN; CREATE INDEX CONCURRENTLY i ON t (a); COMMIT", LintSeverity.Error },
        { "ban-concurrent-index-creation-in-transaction", "CREATE INDEX CONCURRENTLY i ON t (a)", null },
        { "ban-concurrent-index-creation-in-transaction", "BEGIN; COMMIT; CREATE INDEX CONCURRENTLY i ON t (a)", null },
        { "ban-create-domain-with-constraint", "CREATE DOMAIN d AS int CHECK (VALUE > 0)", LintSeverity.Warning },
        { "ban-create-domain-with-constraint", "CREATE DOMAIN d AS int", null },
        { "ban-drop-column", "ALTER TABLE t DROP COLUMN c", LintSeverity.Error },
        { "ban-drop-column", "ALTER TABLE t DROP CONSTRAINT c", null },
        { "ban-drop-database", "DROP DATABASE prod", LintSeverity.Error },
        { "ban-drop-database", "DROP SCHEMA IF EXISTS s", null },
        { "ban-drop-not-null", "ALTER TABLE t ALTER COLUMN c DROP NOT NULL", LintSeverity.Warning },
        { "ban-drop-not-null", "ALTER TABLE t ALTER COLUMN c SET DEFAULT 1", null },
        { "ban-drop-table", "DROP TABLE IF EXISTS t", LintSeverity.Error },
        { "ban-drop-table", "DROP INDEX IF EXISTS i", null },
        { "ban-truncate-cascade", "TRUNCATE t CASCADE", LintSeverity.Error },
        { "ban-truncate-cascade", "TRUNCATE t", null },
        { "ban-uncommitted-transaction", "BEGIN; ALTER TABLE t ADD COLUMN c int", LintSeverity.Error },
        { "ban-uncommitted-transaction", "BEGIN; ALTER TABLE t ADD COLUMN c int; COMMIT", null },
        { "changing-column-type", "ALTER TABLE t ALTER COLUMN c TYPE bigint", LintSeverity.Warning },
        { "changing-column-type", "ALTER TABLE t ALTER COLUMN c SET DEFAULT 1", null },
        { "constraint-missing-not-valid", "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0)", LintSeverity.Warning },
        { "constraint-missing-not-valid", "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID", null },
        { "constraint-missing-not-valid", "BEGIN; ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID; ALTER TABLE t VALIDATE CONSTRAINT c; COMMIT", LintSeverity.Warning },
        { "constraint-missing-not-valid", "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID; ALTER TABLE t VALIDATE CONSTRAINT c", null },
        { "constraint-missing-not-valid", "CREATE TABLE t (a int); ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0)", null },
        { "disallowed-unique-constraint", "ALTER TABLE t ADD CONSTRAINT u UNIQUE (a)", LintSeverity.Warning },
        { "disallowed-unique-constraint", "ALTER TABLE t ADD CONSTRAINT u UNIQUE USING INDEX i", null },
        { "identifier-too-long", "CREATE TABLE a_table_name_that_goes_on_and_on_and_on_well_past_sixty_three_bytes (a int)", LintSeverity.Warning },
        { "identifier-too-long", "CREATE TABLE short_name (a int)", null },
        { "prefer-bigint-over-int", "CREATE TABLE t (a integer)", LintSeverity.Info },
        { "prefer-bigint-over-int", "ALTER TABLE t ADD COLUMN a serial", LintSeverity.Info },
        { "prefer-bigint-over-int", "CREATE TABLE t (a bigint)", null },
        { "prefer-bigint-over-smallint", "CREATE TABLE t (a smallint)", LintSeverity.Info },
        { "prefer-bigint-over-smallint", "CREATE TABLE t (a bigint)", null },
        { "prefer-identity", "CREATE TABLE t (id bigserial PRIMARY KEY)", LintSeverity.Info },
        { "prefer-identity", "CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY)", null },
        { "prefer-robust-stmts", "CREATE TABLE t (a int)", LintSeverity.Info },
        { "prefer-robust-stmts", "CREATE TABLE IF NOT EXISTS t (a int)", null },
        { "prefer-robust-stmts", "CREATE INDEX i ON t (a)", LintSeverity.Info },
        { "prefer-robust-stmts", "DROP TABLE t", LintSeverity.Info },
        { "prefer-robust-stmts", "ALTER TABLE t ADD COLUMN c int", LintSeverity.Info },
        { "prefer-robust-stmts", "ALTER TABLE t ADD COLUMN IF NOT EXISTS c int", null },
        { "prefer-robust-stmts", "ALTER TABLE t DROP CONSTRAINT IF EXISTS c; ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID", null },
        { "prefer-robust-stmts", "BEGIN; ALTER TABLE t ADD COLUMN c int; COMMIT", null },
        { "prefer-text-field", "CREATE TABLE t (a varchar(10))", LintSeverity.Info },
        { "prefer-text-field", "CREATE TABLE t (a varchar, b text)", null },
        { "prefer-timestamp-tz", "CREATE TABLE t (a timestamp)", LintSeverity.Warning },
        { "prefer-timestamp-tz", "ALTER TABLE t ALTER COLUMN a TYPE timestamp without time zone", LintSeverity.Warning },
        { "prefer-timestamp-tz", "CREATE TABLE t (a timestamptz)", null },
        { "renaming-column", "ALTER TABLE t RENAME COLUMN a TO b", LintSeverity.Warning },
        { "renaming-column", "ALTER TABLE t RENAME TO u", null },
        { "renaming-table", "ALTER TABLE t RENAME TO u", LintSeverity.Warning },
        { "renaming-table", "ALTER INDEX i RENAME TO j", null },
        { "require-concurrent-index-creation", "CREATE INDEX IF NOT EXISTS i ON big (a)", LintSeverity.Error },
        { "require-concurrent-index-creation", "CREATE INDEX IF NOT EXISTS i ON unknown_table (a)", LintSeverity.Warning },
        { "require-concurrent-index-creation", "CREATE INDEX IF NOT EXISTS i ON small (a)", LintSeverity.Info },
        { "require-concurrent-index-creation", "CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON big (a)", null },
        { "require-concurrent-index-creation", "CREATE TABLE n (a int); CREATE INDEX i ON n (a)", null },
        { "require-concurrent-index-deletion", "DROP INDEX i", LintSeverity.Warning },
        { "require-concurrent-index-deletion", "DROP INDEX CONCURRENTLY IF EXISTS i", null },
        { "require-concurrent-partition-detach", "ALTER TABLE t DETACH PARTITION p", LintSeverity.Warning },
        { "require-concurrent-partition-detach", "ALTER TABLE t DETACH PARTITION p CONCURRENTLY", null },
        { "require-concurrent-reindex", "REINDEX TABLE t", LintSeverity.Warning },
        { "require-concurrent-reindex", "REINDEX INDEX CONCURRENTLY i", null },
        { "require-enum-value-ordering", "ALTER TYPE e ADD VALUE 'x'", LintSeverity.Info },
        { "require-enum-value-ordering", "ALTER TYPE e ADD VALUE 'x' AFTER 'w'", null },
        { "require-lock-timeout", "ALTER TABLE t ADD COLUMN IF NOT EXISTS c int", LintSeverity.Warning },
        { "require-lock-timeout", "SET lock_timeout = '2s'; ALTER TABLE t ADD COLUMN IF NOT EXISTS c int", null },
        { "require-lock-timeout", "INSERT INTO t VALUES (1)", null },
        { "require-lock-timeout", "CREATE TABLE IF NOT EXISTS t (a int)", null },
        { "require-statement-timeout", "CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a)", LintSeverity.Info },
        { "require-statement-timeout", "SET statement_timeout = '5s'; CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a)", null },
        { "transaction-nesting", "BEGIN; BEGIN; COMMIT", LintSeverity.Error },
        { "transaction-nesting", "BEGIN; COMMIT; BEGIN; COMMIT", null },

        // beyond squawk
        { "ban-vacuum-full", "VACUUM FULL t", LintSeverity.Error },
        { "ban-vacuum-full", "VACUUM (FULL, ANALYZE) t", LintSeverity.Error },
        { "ban-vacuum-full", "VACUUM (ANALYZE) t", null },
        { "ban-vacuum-full", "VACUUM (FULL false) t", null },
        { "ban-cluster", "CLUSTER t USING i", LintSeverity.Error },
        { "ban-cluster", "ALTER TABLE t CLUSTER ON i", null },
        { "ban-set-logged-unlogged", "ALTER TABLE t SET LOGGED", LintSeverity.Error },
        { "ban-set-logged-unlogged", "ALTER TABLE t SET UNLOGGED", LintSeverity.Error },
        { "ban-set-logged-unlogged", "ALTER TABLE t SET (fillfactor = 90)", null },
        { "ban-lock-table", "LOCK TABLE t", LintSeverity.Error },
        { "ban-lock-table", "LOCK TABLE t IN ACCESS EXCLUSIVE MODE", LintSeverity.Error },
        { "ban-lock-table", "LOCK TABLE t IN SHARE MODE", LintSeverity.Warning },
        { "ban-lock-table", "LOCK TABLE t IN ROW EXCLUSIVE MODE", null },
        { "ban-table-rewrite", "ALTER TABLE t SET TABLESPACE archive", LintSeverity.Warning },
        { "ban-table-rewrite", "REFRESH MATERIALIZED VIEW mv", LintSeverity.Warning },
        { "ban-table-rewrite", "REFRESH MATERIALIZED VIEW CONCURRENTLY mv", null },
        { "ban-unbatched-dml", "UPDATE t SET a = 1", LintSeverity.Warning },
        { "ban-unbatched-dml", "DELETE FROM big", LintSeverity.Error },
        { "ban-unbatched-dml", "UPDATE t SET a = 1 WHERE id BETWEEN 1 AND 1000", null },
        { "ban-now-cast-default", "ALTER TABLE t ADD COLUMN c text DEFAULT now()::text", LintSeverity.Warning },
        { "ban-now-cast-default", "CREATE TABLE t (c varchar DEFAULT CAST(now() AS varchar))", LintSeverity.Warning },
        { "ban-now-cast-default", "ALTER TABLE t ADD COLUMN c timestamptz DEFAULT now()", null },
        { "ban-now-cast-default", "ALTER TABLE t ADD COLUMN c text DEFAULT 'now'", null },
        { "prefer-jsonb", "CREATE TABLE t (doc json)", LintSeverity.Warning },
        { "prefer-jsonb", "ALTER TABLE t ADD COLUMN doc json", LintSeverity.Warning },
        { "prefer-jsonb", "CREATE TABLE t (doc jsonb)", null },
        { "require-uuid-or-identity-key", "CREATE TABLE t (a text)", LintSeverity.Warning },
        { "require-uuid-or-identity-key", "CREATE TABLE t (id int PRIMARY KEY)", LintSeverity.Warning },
        { "require-uuid-or-identity-key", "CREATE TABLE t (id uuid PRIMARY KEY)", null },
        { "require-uuid-or-identity-key", "CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY, PRIMARY KEY (id))", null },
        { "require-uuid-or-identity-key", "CREATE TABLE t (a bigint, b bigint, PRIMARY KEY (a, b))", null },
        { "require-uuid-or-identity-key", "CREATE TEMP TABLE t (a text)", null },
        { "require-uuid-or-identity-key", "CREATE TABLE p1 PARTITION OF p FOR VALUES IN (1)", null },
        { "require-timestamps", "CREATE TABLE t (id uuid PRIMARY KEY, created_at timestamptz)", LintSeverity.Info },
        { "require-timestamps", "CREATE TABLE t (id uuid PRIMARY KEY, created_at timestamptz, updated_at timestamptz)", null },
        { "require-indexed-foreign-key", "CREATE TABLE t (id uuid PRIMARY KEY, u_id uuid REFERENCES u (id))", LintSeverity.Warning },
        { "require-indexed-foreign-key", "ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a, b) REFERENCES u (a, b) NOT VALID", LintSeverity.Warning },
        { "require-indexed-foreign-key", "CREATE TABLE t (id uuid PRIMARY KEY, u_id uuid REFERENCES u (id)); CREATE INDEX i ON t (u_id, id)", null },
        { "require-indexed-foreign-key", "CREATE TABLE t (u_id uuid REFERENCES u (id), n int, PRIMARY KEY (u_id, n))", null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Lint_Case_ReportsExpectedSeverity(string rule, string sql, LintSeverity? expected)
    {
        var findings = MigrationLinter.Lint(Classifier.Classify(sql), Context).Where(f => f.Rule == rule).ToList();

        if (expected is null)
        {
            Assert.Empty(findings);
        }
        else
        {
            var finding = Assert.Single(findings);
            Assert.Equal(expected, finding.Severity);
            Assert.False(string.IsNullOrWhiteSpace(finding.Message));
            Assert.False(string.IsNullOrWhiteSpace(finding.Hint));
            Assert.Contains(finding.Lock, StatementLocks.Modes);
            Assert.NotNull(finding.Impact);
            Assert.NotNull(finding.Line);
        }
    }

    [Fact]
    public void Rules_EveryRuleHasABadAndAGoodCaseAndAUniqueId()
    {
        var ids = MigrationLinter.Rules.Select(r => r.Id).ToList();
        var cases = Cases.Select(c => (Rule: (string)c[0], Bad: c[2] is not null)).ToList();

        Assert.True(ids.Count >= 35, $"only {ids.Count} rules");
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Contains((id, true), cases));
        Assert.All(ids, id => Assert.Contains((id, false), cases));
        Assert.All(cases, c => Assert.Contains(c.Rule, ids));
    }

    [Fact]
    public void Rules_DescribeThemselvesAndCoverEverySquawkRule()
    {
        string[] squawk =
        [
            "adding-field-with-default", "adding-foreign-key-constraint", "adding-not-nullable-field", "adding-required-field",
            "adding-serial-primary-key-field", "ban-alter-domain-with-add-constraint", "ban-char-field", "ban-concurrent-index-creation-in-transaction",
            "ban-create-domain-with-constraint", "ban-drop-column", "ban-drop-database", "ban-drop-not-null", "ban-drop-table", "ban-truncate-cascade",
            "ban-uncommitted-transaction", "changing-column-type", "constraint-missing-not-valid", "disallowed-unique-constraint",
            "prefer-bigint-over-int", "prefer-bigint-over-smallint", "prefer-identity", "prefer-robust-stmts", "prefer-text-field", "prefer-timestamp-tz",
            "renaming-column", "renaming-table", "require-concurrent-index-creation", "require-concurrent-index-deletion", "require-concurrent-reindex",
            "require-lock-timeout", "require-statement-timeout", "transaction-nesting", "require-concurrent-partition-detach", "identifier-too-long",
            "require-enum-value-ordering",
        ];

        Assert.All(MigrationLinter.Rules, r => Assert.False(string.IsNullOrWhiteSpace(r.Description)));
        Assert.All(squawk, name => Assert.Contains(MigrationLinter.Rules, r => r.Squawk.Contains(name)));
    }

    public static TheoryData<string, string, TableImpact> Locks => new()
    {
        // statement, the lock PostgreSQL's documentation gives for it, and what it does to the table
        { "VACUUM FULL t", "ACCESS EXCLUSIVE", TableImpact.Rewrite },
        { "CLUSTER t USING i", "ACCESS EXCLUSIVE", TableImpact.Rewrite },
        { "ALTER TABLE t SET LOGGED", "ACCESS EXCLUSIVE", TableImpact.Rewrite },
        { "LOCK TABLE t", "ACCESS EXCLUSIVE", TableImpact.None },
        { "LOCK TABLE t IN SHARE ROW EXCLUSIVE MODE", "SHARE ROW EXCLUSIVE", TableImpact.None },
        { "CREATE INDEX i ON t (a)", "SHARE", TableImpact.Scan },
        { "CREATE INDEX CONCURRENTLY i ON t (a)", "SHARE UPDATE EXCLUSIVE", TableImpact.Scan },
        { "ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES u (id)", "SHARE ROW EXCLUSIVE", TableImpact.Scan },
        { "ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES u (id) NOT VALID", "SHARE ROW EXCLUSIVE", TableImpact.None },
        { "ALTER TABLE t VALIDATE CONSTRAINT f", "SHARE UPDATE EXCLUSIVE", TableImpact.Scan },
        { "ALTER TABLE t ALTER COLUMN c TYPE bigint", "ACCESS EXCLUSIVE", TableImpact.Rewrite },
        { "ALTER TABLE t ALTER COLUMN c SET NOT NULL", "ACCESS EXCLUSIVE", TableImpact.Scan },
        { "ALTER TABLE t ADD COLUMN c int DEFAULT 0", "ACCESS EXCLUSIVE", TableImpact.None },
        { "ALTER TABLE t ADD COLUMN c uuid DEFAULT gen_random_uuid()", "ACCESS EXCLUSIVE", TableImpact.Rewrite },
        { "ALTER TABLE t SET (fillfactor = 80)", "SHARE UPDATE EXCLUSIVE", TableImpact.None },
        { "DROP INDEX CONCURRENTLY i", "SHARE UPDATE EXCLUSIVE", TableImpact.None },
        { "REFRESH MATERIALIZED VIEW CONCURRENTLY mv", "EXCLUSIVE", TableImpact.Rewrite },
        { "UPDATE t SET a = 1", "ROW EXCLUSIVE", TableImpact.Rewrite },
        { "CREATE TRIGGER tr AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()", "SHARE ROW EXCLUSIVE", TableImpact.None },
        { "SET lock_timeout = '1s'", "none", TableImpact.None },
    };

    [Theory]
    [MemberData(nameof(Locks))]
    public void StatementLocks_FollowThePostgresDocumentation(string sql, string mode, TableImpact impact)
    {
        var statement = Classifier.Classify(sql).Statements[0];
        using var tree = SqlParseTree.Parse(statement.Text)!;

        var locks = StatementLocks.Of(new LintStatement(statement, tree.Node, tree.Body));

        Assert.Equal(mode, locks.Mode);
        Assert.Equal(impact, locks.Impact);
    }

    [Fact]
    public void Lint_FindingCarriesLockImpactTableSizeAndLine()
    {
        var batch = Classifier.Classify("SET lock_timeout = '1s';\nSET statement_timeout = '1s';\n\nALTER TABLE big ALTER COLUMN c TYPE bigint;");

        var finding = Assert.Single(MigrationLinter.Lint(batch, Context), f => f.Rule == "changing-column-type");

        Assert.Equal("ACCESS EXCLUSIVE", finding.Lock);
        Assert.Equal(TableImpact.Rewrite, finding.Impact);
        Assert.Equal("big", finding.Table);
        Assert.Equal(5_000_000, finding.TableRows);
        Assert.Equal(4, finding.Line);
        Assert.Null(MigrationLinter.Lint(batch, LintContext.Empty).Single(f => f.Rule == "changing-column-type").TableRows);
    }

    [Fact]
    public void Lint_DisableComments_PerStatementAndPerFile()
    {
        const string sql = """
            -- rose-lint-disable-file prefer-robust-stmts, require-lock-timeout
            VACUUM FULL a;
            -- rose-lint-disable ban-vacuum-full
            VACUUM FULL b;
            SELECT '-- rose-lint-disable ban-cluster';
            CLUSTER c;
            """;

        var findings = MigrationLinter.Lint(Classifier.Classify(sql), LintContext.Empty);

        Assert.Equal([0], findings.Where(f => f.Rule == "ban-vacuum-full").Select(f => f.StatementIndex));
        Assert.Single(findings, f => f.Rule == "ban-cluster");
        Assert.DoesNotContain(findings, f => f.Rule is "require-lock-timeout" or "prefer-robust-stmts");
        Assert.Contains(findings, f => f.Rule == "require-statement-timeout");
    }

    [Fact]
    public void Lint_FileDirectiveAfterTheLastStatement_StillApplies()
    {
        var findings = MigrationLinter.Lint(Classifier.Classify("CLUSTER t;\n-- rose-lint-disable-file ban-cluster\n-- rose-lint-disable ban-lock-table\n"), LintContext.Empty);

        Assert.DoesNotContain(findings, f => f.Rule == "ban-cluster");
        Assert.Contains(findings, f => f.Rule == "require-lock-timeout");
    }

    [Fact]
    public void Lint_DisableCommentWithoutIds_DisablesEveryRuleForThatStatement()
    {
        var findings = MigrationLinter.Lint(Classifier.Classify("-- rose-lint-disable\nLOCK TABLE t;\nLOCK TABLE u;"), LintContext.Empty);

        Assert.All(findings, f => Assert.Equal(1, f.StatementIndex));
        Assert.Contains(findings, f => f.Rule == "ban-lock-table");
    }

    [Fact]
    public void Settings_ChangeSeveritiesAndTurnRulesOff()
    {
        var settings = LintSettings.Parse("""{"rules": {"ban-vacuum-full": "info", "require-lock-timeout": "off"}, "assumeInTransaction": true}""")
            .With("require-statement-timeout", "error");

        var findings = MigrationLinter.Lint(Classifier.Classify("VACUUM FULL t; ALTER TABLE t ADD COLUMN c int"), LintContext.Empty, settings);

        Assert.Equal(LintSeverity.Info, findings.Single(f => f.Rule == "ban-vacuum-full").Severity);
        Assert.Equal(LintSeverity.Error, findings.Single(f => f.Rule == "require-statement-timeout").Severity);
        Assert.DoesNotContain(findings, f => f.Rule is "require-lock-timeout" or "prefer-robust-stmts");
    }

    [Theory]
    [InlineData("""{"rules": {"no-such-rule": "error"}}""", "unknown lint rule")]
    [InlineData("""{"rules": {"ban-cluster": "fatal"}}""", "unknown severity")]
    [InlineData("""{"rulez": {}}""", "unknown or malformed setting")]
    [InlineData("""[1]""", "JSON object")]
    [InlineData("""{"rules": """, "not valid JSON")]
    public void Settings_BadConfiguration_IsRefusedWithAClearMessage(string json, string expected)
    {
        var e = Assert.Throws<LintSettingsException>(() => LintSettings.Parse(json));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_StatementList_KeepsThePlannerContract()
    {
        var statements = Classifier.Classify("ALTER TABLE t ADD COLUMN c int NOT NULL").Statements;

        var finding = Assert.Single(MigrationLinter.Lint(statements, Context), f => f.Rule == "adding-required-field");

        Assert.Equal(0, finding.StatementIndex);
        Assert.Equal("ACCESS EXCLUSIVE", finding.Lock);
    }
}

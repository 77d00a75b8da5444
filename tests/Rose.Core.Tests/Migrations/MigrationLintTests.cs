using Rose.Core.Migrations.Lint;
using Rose.Core.Sql;

namespace Rose.Core.Tests.Migrations;

/// <summary>Every lint rule, table-driven: SQL in, the findings of that rule out.</summary>
public sealed class MigrationLintTests
{
    private static readonly PgQueryClassifier Classifier = new();

    private static readonly LintContext Context = new(new Dictionary<string, long> { ["big"] = 5_000_000, ["small"] = 10 }, 100_000);

    public static TheoryData<string, string, LintSeverity?> Cases => new()
    {
        // rule id, SQL, expected severity (null = the rule must stay silent)
        { "require-concurrent-index-creation", "CREATE INDEX IF NOT EXISTS i ON big (a)", LintSeverity.Error },
        { "require-concurrent-index-creation", "CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON big (a)", null },
        { "require-concurrent-index-creation", "CREATE INDEX IF NOT EXISTS i ON small (a)", null },
        { "require-concurrent-index-creation", "CREATE INDEX IF NOT EXISTS i ON unknown_table (a)", null },
        { "adding-not-nullable-field", "ALTER TABLE t ADD COLUMN c int NOT NULL", LintSeverity.Error },
        { "adding-not-nullable-field", "ALTER TABLE t ADD COLUMN c int NOT NULL DEFAULT 0", null },
        { "adding-not-nullable-field", "ALTER TABLE t ALTER COLUMN c SET NOT NULL", LintSeverity.Warning },
        { "adding-not-nullable-field", "ALTER TABLE t ADD COLUMN c int", null },
        { "adding-field-with-volatile-default", "ALTER TABLE t ADD COLUMN c uuid DEFAULT gen_random_uuid()", LintSeverity.Warning },
        { "adding-field-with-volatile-default", "ALTER TABLE t ADD COLUMN c float DEFAULT random() * 10", LintSeverity.Warning },
        { "adding-field-with-volatile-default", "ALTER TABLE t ADD COLUMN c timestamptz DEFAULT clock_timestamp()", LintSeverity.Warning },
        { "adding-field-with-volatile-default", "ALTER TABLE t ADD COLUMN c timestamptz DEFAULT now()", null },
        { "adding-field-with-volatile-default", "ALTER TABLE t ADD COLUMN c int DEFAULT 1", null },
        { "changing-column-type", "ALTER TABLE t ALTER COLUMN c TYPE bigint", LintSeverity.Warning },
        { "changing-column-type", "ALTER TABLE t ALTER COLUMN c SET DEFAULT 1", null },
        { "ban-drop-column-or-table", "ALTER TABLE t DROP COLUMN c", LintSeverity.Error },
        { "ban-drop-column-or-table", "DROP TABLE IF EXISTS t", LintSeverity.Error },
        { "ban-drop-column-or-table", "DROP INDEX IF EXISTS i", null },
        { "renaming-column-or-table", "ALTER TABLE t RENAME COLUMN a TO b", LintSeverity.Warning },
        { "renaming-column-or-table", "ALTER TABLE t RENAME TO u", LintSeverity.Warning },
        { "renaming-column-or-table", "ALTER INDEX i RENAME TO j", null },
        { "adding-foreign-key-constraint", "ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES u (id)", LintSeverity.Warning },
        { "adding-foreign-key-constraint", "ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES u (id) NOT VALID", null },
        { "adding-foreign-key-constraint", "CREATE TABLE IF NOT EXISTS t (a int REFERENCES u (id))", null },
        { "require-lock-timeout", "CREATE TABLE IF NOT EXISTS t (a int)", LintSeverity.Warning },
        { "require-lock-timeout", "SET lock_timeout = '2s'; CREATE TABLE IF NOT EXISTS t (a int)", null },
        { "require-lock-timeout", "INSERT INTO t VALUES (1)", null },
        { "prefer-robust-stmts", "CREATE TABLE t (a int)", LintSeverity.Info },
        { "prefer-robust-stmts", "CREATE TABLE IF NOT EXISTS t (a int)", null },
        { "prefer-robust-stmts", "CREATE INDEX i ON t (a)", LintSeverity.Info },
        { "prefer-robust-stmts", "DROP TABLE t", LintSeverity.Info },
        { "prefer-robust-stmts", "ALTER TABLE t ADD COLUMN c int", LintSeverity.Info },
        { "prefer-robust-stmts", "ALTER TABLE t ADD COLUMN IF NOT EXISTS c int", null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Lint_Case_ReportsExpectedSeverity(string rule, string sql, LintSeverity? expected)
    {
        var findings = MigrationLinter.Lint(Classifier.Classify(sql).Statements, Context).Where(f => f.Rule == rule).ToList();

        if (expected is null)
        {
            Assert.Empty(findings);
        }
        else
        {
            var finding = Assert.Single(findings);
            Assert.Equal(expected, finding.Severity);
            Assert.False(string.IsNullOrWhiteSpace(finding.Message));
        }
    }

    [Fact]
    public void Rules_EveryRuleHasATestCaseAndAUniqueId()
    {
        var ids = MigrationLinter.Rules.Select(r => r.Id).ToList();
        var tested = Cases.Select(c => (string)c[0]).ToHashSet();

        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Contains(id, tested));
    }
}

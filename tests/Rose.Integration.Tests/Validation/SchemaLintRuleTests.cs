using Rose.Core.Validation;
using Rose.Core.Validation.SchemaLint;

namespace Rose.Integration.Tests.Validation;

/// <summary>
/// Each schema-audit rule on a small purpose-built schema: it reports the broken object and not its
/// correct twin. Every case lives in its own schema of one target database shared by the class (one
/// <see cref="SharedHarness"/>; each case reads only the findings in its own schema).
/// </summary>
public sealed class SchemaLintRuleTests(PostgresServerFixture pg, SharedHarness shared)
    : IClassFixture<PostgresServerFixture>, IClassFixture<SharedHarness>, IAsyncLifetime
{
    private PipelineHarness harness = null!;

    public async Task InitializeAsync() => harness = await shared.HarnessAsync(() => PipelineHarness.CreateAsync(pg));

    // The harness belongs to the class fixture, which disposes of it after the last test.
    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>rule, setup (in schema "s"), objects it must report, objects it must not report.</summary>
    public static TheoryData<string, string, string[], string[]> Cases => new()
    {
        { "no_primary_key", "CREATE TABLE s.bad (a int); CREATE TABLE s.good (a int PRIMARY KEY);", ["s.bad"], ["s.good"] },
        {
            "unindexed_foreign_key",
            "CREATE TABLE s.parent (id int PRIMARY KEY); CREATE TABLE s.bad (id int PRIMARY KEY, pid int REFERENCES s.parent); " +
            "CREATE TABLE s.good (id int PRIMARY KEY, pid int REFERENCES s.parent); CREATE INDEX ON s.good (pid, id);",
            ["s.bad (pid)"], ["s.good (pid)"]
        },
        {
            "invalid_index",
            "CREATE TABLE s.t (a int); CREATE INDEX bad_idx ON s.t (a); CREATE INDEX good_idx ON s.t (a); " +
            "UPDATE pg_index SET indisvalid = false WHERE indexrelid = 's.bad_idx'::regclass;",
            ["s.bad_idx"], ["s.good_idx"]
        },
        {
            "duplicate_index",
            "CREATE TABLE s.t (a int, b int); CREATE INDEX first_idx ON s.t (a); CREATE INDEX second_idx ON s.t (a); CREATE INDEX other_idx ON s.t (b);",
            ["s.second_idx"], ["s.first_idx", "s.other_idx"]
        },
        { "unused_index", "CREATE TABLE s.t (a int, b int UNIQUE); CREATE INDEX idle_idx ON s.t (a);", ["s.idle_idx"], ["s.t_b_key"] },
        {
            "policy_exists_rls_disabled",
            "CREATE TABLE s.bad (a int); CREATE POLICY p ON s.bad USING (true); " +
            "CREATE TABLE s.good (a int); CREATE POLICY p ON s.good USING (true); ALTER TABLE s.good ENABLE ROW LEVEL SECURITY;",
            ["s.bad"], ["s.good"]
        },
        {
            "rls_enabled_no_policy",
            "CREATE TABLE s.bad (a int); ALTER TABLE s.bad ENABLE ROW LEVEL SECURITY; " +
            "CREATE TABLE s.good (a int); CREATE POLICY p ON s.good USING (true); ALTER TABLE s.good ENABLE ROW LEVEL SECURITY;",
            ["s.bad"], ["s.good"]
        },
        {
            "function_search_path_mutable",
            "CREATE FUNCTION s.bad(x int) RETURNS int LANGUAGE sql AS 'SELECT x'; " +
            "CREATE FUNCTION s.good(x int) RETURNS int LANGUAGE sql SET search_path = pg_catalog AS 'SELECT x';",
            ["s.bad(x integer)"], ["s.good(x integer)"]
        },
        {
            "sequence_near_exhaustion",
            "CREATE SEQUENCE s.bad AS integer; SELECT setval('s.bad', 2000000000); CREATE SEQUENCE s.good AS integer; SELECT setval('s.good', 1000);",
            ["s.bad"], ["s.good"]
        },
        { "timestamp_without_time_zone", "CREATE TABLE s.t (id int PRIMARY KEY, bad timestamp, good timestamptz);", ["s.t.bad"], ["s.t.good"] },
        {
            "missing_timestamps",
            "CREATE TABLE s.bad (id int PRIMARY KEY); CREATE TABLE s.good (id int PRIMARY KEY, created_at timestamptz, updated_at timestamptz);",
            ["s.bad"], ["s.good"]
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Rule_OnPurposeBuiltSchema_ReportsOnlyTheBrokenObject(string ruleName, string setup, string[] expected, string[] unexpected)
    {
        var schema = "a_" + ruleName;
        await harness.TargetExecAsync($"CREATE SCHEMA {schema}; " + setup.Replace("s.", schema + ".", StringComparison.Ordinal)
            .Replace("'s.", $"'{schema}.", StringComparison.Ordinal));
        var rule = Assert.Single(SchemaLintRules.All, r => r.Name == ruleName);

        var read = await harness.Services.GetRequiredService<TargetReader>().ReadAsync(PipelineHarness.Alice, "t", rule.Sql, "test", CancellationToken.None);

        Assert.True(read.Succeeded, read.Error);
        var objects = read.Statements[0].Rows.Select(r => r[0]!).Where(o => o.StartsWith(schema + ".", StringComparison.Ordinal)).ToList();
        foreach (var name in expected.Select(e => schema + e[1..]))
        {
            Assert.Contains(name, objects);
        }

        foreach (var name in unexpected.Select(e => schema + e[1..]))
        {
            Assert.DoesNotContain(name, objects);
        }

        Assert.All(read.Statements[0].Rows.Where(r => r[0]!.StartsWith(schema + ".", StringComparison.Ordinal)),
            r => Assert.False(string.IsNullOrWhiteSpace(r[2]), "every finding carries remediation SQL"));
    }

    [Fact]
    public void Rules_AreRegisteredOnceEachWithDistinctNames()
    {
        Assert.Equal(SchemaLintRules.All.Count, SchemaLintRules.All.Select(r => r.Name).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(11, SchemaLintRules.All.Count);
    }
}

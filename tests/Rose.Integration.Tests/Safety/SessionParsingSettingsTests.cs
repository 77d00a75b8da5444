using Npgsql;
using Rose.Core.Execution;

namespace Rose.Integration.Tests.Safety;

/// <summary>
/// A session that reads text otherwise than libpg_query (standard_conforming_strings off, a client_encoding
/// other than UTF8) gets no further statement from the executor (<see cref="ParsingSettings"/>): changed by a
/// function of an earlier statement (or of a migration's), where the classifier cannot look, or set for the whole database. Each test
/// has its own target database (a database-wide setting must not reach other tests).
/// </summary>
[Collection("postgres")]
public sealed class SessionParsingSettingsTests(PostgresServerFixture pg) : PipelineTest(pg)
{
    /// <summary>
    /// With standard_conforming_strings on (as libpg_query reads it) one SELECT of a constant; with it off, 'x\''
    /// is the string x' and the DELETE is a real CTE (shown on PostgreSQL 15 by the review that found it).
    /// </summary>
    private const string ReadsAsSelectDeletesWhenOff = "WITH a AS (SELECT 'x\\''), b AS (DELETE FROM t1 RETURNING 1) SELECT 1 --') SELECT 1";

    protected override async Task SeedAsync()
    {
        await Harness.TargetExecAsync("CREATE TABLE t1 (id int PRIMARY KEY, v text)");
        await Harness.TargetExecAsync("INSERT INTO t1 SELECT g, 'v' FROM generate_series(1, 10) g");
        // A function the classifier sees only as a call: it turns the setting off for the session.
        await Harness.TargetExecAsync("CREATE FUNCTION strings_off() RETURNS text LANGUAGE sql AS $$ SELECT set_config('standard_conforming_strings', 'off', false) $$");
        await Harness.TargetExecAsync("CREATE FUNCTION encoding_latin1() RETURNS text LANGUAGE sql AS $$ SELECT set_config('client_encoding', 'LATIN1', false) $$");
    }

    [Fact]
    public void TheSmuggledText_IsOneSelectToTheClassifier()
    {
        var batch = Harness.Services.GetRequiredService<Rose.Core.Sql.ISqlClassifier>().Classify(ReadsAsSelectDeletesWhenOff);

        var statement = Assert.Single(batch.Statements);
        Assert.Equal("SELECT", statement.Tag);
        Assert.False(statement.Writes);
    }

    [Fact]
    public async Task AFunctionTurningStandardConformingStringsOff_StopsTheBatchBeforeTheNextStatement()
    {
        // The INSERT makes the batch a read-write transaction, where the hidden DELETE could run.
        var outcome = await Harness.RunAsync($"SELECT strings_off(); {ReadsAsSelectDeletesWhenOff}; INSERT INTO t1 VALUES (99, 'x')");

        Assert.Equal(OutcomeStatus.Failed, outcome.Status);
        var error = outcome.Result!.Error!;
        Assert.Equal("55000", error.SqlState);
        Assert.Equal(1, error.StatementIndex);
        Assert.Contains("standard_conforming_strings is off", error.Message, StringComparison.Ordinal);
        Assert.Contains("was not sent", error.Message, StringComparison.Ordinal);
        Assert.Single(outcome.Result.Statements);
        Assert.Equal(10L, await Harness.TargetScalarAsync<long>("SELECT count(*) FROM t1"));
        Assert.Equal(0L, await Harness.TargetScalarAsync<long>("SELECT count(*) FROM t1 WHERE id = 99"));

        // The pool gave the session back reset: the next run reads as classified again.
        var next = await Harness.RunAsync("SELECT count(*) FROM t1");
        Assert.Equal(OutcomeStatus.Succeeded, next.Status);
    }

    [Fact]
    public async Task AFunctionChangingClientEncoding_StopsTheBatchBeforeTheNextStatement()
    {
        var outcome = await Harness.RunAsync("SELECT encoding_latin1(); INSERT INTO t1 VALUES (98, 'x')");

        Assert.Equal(OutcomeStatus.Failed, outcome.Status);
        Assert.Equal("55000", outcome.Result!.Error!.SqlState);
        Assert.Contains("client_encoding is LATIN1", outcome.Result.Error.Message, StringComparison.Ordinal);
        Assert.Equal(0L, await Harness.TargetScalarAsync<long>("SELECT count(*) FROM t1 WHERE id = 98"));
    }

    [Fact]
    public async Task ADatabaseThatStartsSessionsWithStandardConformingStringsOff_RunsNothing()
    {
        var database = new NpgsqlConnectionStringBuilder(Harness.TargetConnection).Database!;
        // Sent raw: Rose's own script runner refuses this statement, as the classifier does.
        await using (var admin = new NpgsqlConnection(Harness.TargetConnection))
        {
            await admin.OpenAsync();
            await using var alter = new NpgsqlCommand($"ALTER DATABASE \"{database}\" SET standard_conforming_strings = off", admin);
            await alter.ExecuteNonQueryAsync();
        }

        NpgsqlConnection.ClearAllPools();

        var outcome = await Harness.RunAsync("INSERT INTO t1 VALUES (97, 'x')");

        Assert.Equal(OutcomeStatus.Failed, outcome.Status);
        Assert.Equal("55000", outcome.Result!.Error!.SqlState);
        Assert.Equal(0, outcome.Result.Error.StatementIndex);
        Assert.Contains("ALTER ROLE", outcome.Result.Error.Message, StringComparison.Ordinal);
        Assert.Equal(0L, await Harness.TargetScalarAsync<long>("SELECT count(*) FROM t1 WHERE id = 97"));
    }
    [Fact]
    public async Task AMigrationWhoseFunctionTurnsStandardConformingStringsOff_StopsBeforeItsNextStatement()
    {
        var set = Rose.Core.Migrations.MigrationSet.From([("V1__smuggle.sql", $"SELECT strings_off(); {ReadsAsSelectDeletesWhenOff}; INSERT INTO t1 VALUES (96, 'x')")]);
        var runner = Harness.Services.GetRequiredService<Rose.Core.Migrations.MigrationRunner>();

        var result = await runner.ApplyAsync(new Rose.Core.Migrations.MigrationRunRequest("t", set, PipelineHarness.Alice,
            PipelineHarness.SeedPolicy(), "test"), null, CancellationToken.None);

        Assert.Equal(Rose.Core.Migrations.MigrationRunStatus.Failed, result.Status);
        Assert.Equal("55000", result.SqlError?.SqlState);
        Assert.Equal(10L, await Harness.TargetScalarAsync<long>("SELECT count(*) FROM t1"));
        Assert.Equal(0L, await Harness.TargetScalarAsync<long>("SELECT count(*) FROM t1 WHERE id = 96"));
    }
}

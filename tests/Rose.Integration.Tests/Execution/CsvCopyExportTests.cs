using Rose.Core.Execution;
using Rose.Core.Export;
using Rose.Core.Identity;

namespace Rose.Integration.Tests.Execution;

/// <summary>
/// CSV export of one SELECT goes out as COPY ... TO STDOUT (SqlExecutor.Copy.cs) and writes exactly the
/// bytes the value-by-value writer writes for the same rows, inside the same READ ONLY transaction with
/// the same limits and audit. The tests only read, so the class shares one seeded harness (<see cref="SharedHarness"/>).
/// </summary>
[Collection("postgres")]
public sealed class CsvCopyExportTests(PostgresServerFixture pg, SharedHarness shared) : PipelineTest(pg, shared), IClassFixture<SharedHarness>
{
    protected override async Task SeedAsync()
    {
        await Harness.TargetExecAsync(""""
            CREATE TABLE sample (id int PRIMARY KEY, t text, n numeric(12,3), f float8, ts timestamptz, d date, iv interval,
                ia int[], ta text[], j jsonb, b bytea, ok boolean, u uuid, "odd, ""name""" text);
            INSERT INTO sample VALUES
                (1, 'plain', 1.5, 0.1, '2024-05-01 10:00:00.123456+02', '2024-02-29', '1 day 02:03:04', '{1,2,NULL}', '{"a,b","c\"d",NULL,""}',
                 '{"k": [1, "x"]}', '\x00ff', true, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'x'),
                (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
                (3, '', -0.001, 'NaN', 'infinity', '-infinity', '-3 months', '{}', '{}', 'null', '', false, NULL, ''),
                (4, E'two\nlines and\r\ncrlf', 1e8, 1e-300, '1999-12-31 23:59:59+00', '0001-01-01 BC', '0', '{{1,2},{3,4}}', '{"é"}',
                 '"str"', '\x5c2e', NULL, NULL, '\.'),
                (5, 'Grüße, "Köln" – 東京 🌸', 0, -1.25, '2038-01-19 03:14:08+00', '9999-12-31', '1 year', '{-1}', '{" sp "}', '[]', '\x', true, NULL, '=1+1');
            CREATE TABLE lonely (v text);
            INSERT INTO lonely VALUES ('\.'), (''), (NULL), ('a');
            """");
    }

    [Theory]
    [InlineData("SELECT * FROM sample ORDER BY id")]
    [InlineData("SELECT v FROM lonely -- a trailing comment")]
    [InlineData("SELECT * FROM (VALUES (1, 'a'), (2, NULL)) v(a, b)")]
    [InlineData("SELECT * FROM sample WHERE false")]
    public async Task Export_CopyAndValueByValue_WriteTheSameBytes(string sql)
    {
        var (copyBytes, copyOutcome, copyRows) = await ExportAsync(sql, useCopy: true);
        var (rowBytes, rowOutcome, rowRows) = await ExportAsync(sql, useCopy: false);

        Assert.Equal(OutcomeStatus.Succeeded, copyOutcome.Status);
        Assert.Equal(OutcomeStatus.Succeeded, rowOutcome.Status);
        Assert.Empty(copyOutcome.Result!.Statements[0].Columns);   // the COPY path ran (it reads no row description)
        Assert.NotEmpty(rowOutcome.Result!.Statements[0].Columns);
        Assert.Equal(System.Text.Encoding.UTF8.GetString(rowBytes), System.Text.Encoding.UTF8.GetString(copyBytes));
        Assert.Equal(rowBytes, copyBytes);
        Assert.Equal(rowRows, copyRows);
        Assert.Equal(rowOutcome.Result.Statements[0].RowsAffected, copyOutcome.Result.Statements[0].RowsAffected);
        Assert.Equal(copyRows, await Harness.ControlScalarAsync<long>($"SELECT rows_affected FROM rose.audit_outcome WHERE audit_id = {copyOutcome.AuditId}"));
    }

    [Fact]
    public async Task Export_RunsReadOnly_WithTheTargetsTimeouts()
    {
        var (bytes, outcome, _) = await ExportAsync(
            "SELECT current_setting('transaction_read_only') AS ro, current_setting('statement_timeout') <> '0' AS timed, current_setting('lock_timeout') <> '0' AS locks",
            useCopy: true);

        Assert.Equal(OutcomeStatus.Succeeded, outcome.Status);
        Assert.Empty(outcome.Result!.Statements[0].Columns);
        Assert.Equal("ro,timed,locks\r\non,t,t\r\n", System.Text.Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public async Task Export_ErrorWhileCopying_FailsTheRunWithTheServersError()
    {
        var (_, outcome, _) = await ExportAsync("SELECT 1 / (id - 3) FROM sample ORDER BY id", useCopy: true);

        Assert.Equal(OutcomeStatus.Failed, outcome.Status);
        Assert.Equal("22012", outcome.Result!.Error!.SqlState);
        Assert.Equal("failed", await Harness.ControlScalarAsync<string>($"SELECT status FROM rose.audit_outcome WHERE audit_id = {outcome.AuditId}"));
    }

    [Theory]
    [InlineData(0)]     // cancelled as the first bytes are written: the writer stops, the COPY is ended on dispose
    [InlineData(200)]   // cancelled while a synchronous read waits for rows: the read returns with the server's cancel
    public async Task Export_CancelledWhileRowsStream_StopsTheQueryAtTheServer(int cancelAfterMs)
    {
        // Rows come slowly (a correlated count of 20,000 per row: minutes in all), so the export is cancelled
        // while the COPY still runs, and the reads after the first are the synchronous ones
        // (CopyExportStream): the cancel must reach them.
        const string sql = "SELECT g, repeat('x', 4000) AS pad, (SELECT count(*) FROM generate_series(1, 20000 + g % 2)) AS work " +
            "FROM generate_series(1, 100000) g /* copy-cancel-probe */";
        using var cancel = new CancellationTokenSource();
        using var output = new MemoryStream();
        var sink = new CsvRowSink(output, _ =>
        {
            if (cancelAfterMs == 0)
            {
                cancel.Cancel();
            }
            else
            {
                cancel.CancelAfter(TimeSpan.FromMilliseconds(cancelAfterMs));
            }

            return Task.CompletedTask;
        });
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var outcome = await Harness.Execution.ExecuteAsync(
            new ExecutionRequest(PipelineHarness.Alice, Channel.Workbench, "t", sql, "csv cancel test", PipelineHarness.SeedPolicy()), sink, cancel.Token);

        Assert.Equal(OutcomeStatus.Cancelled, outcome.Status);
        Assert.True(cancelAfterMs == 0 || output.Length > 0, "the first rows were written before the cancel");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"the export ran {watch.Elapsed}: the cancel did not stop the query");
        Assert.Equal("cancelled", await Harness.ControlScalarAsync<string>($"SELECT status FROM rose.audit_outcome WHERE audit_id = {outcome.AuditId}"));
        Assert.Equal(0L, await Harness.TargetScalarAsync<long>(
            "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%copy-cancel-probe%' AND pid <> pg_backend_pid()"));
    }

    private async Task<(byte[] Bytes, ExecutionOutcome Outcome, long Rows)> ExportAsync(string sql, bool useCopy)
    {
        using var output = new MemoryStream();
        var sink = new CsvRowSink(output, _ => Task.CompletedTask, useCopy: useCopy);
        var outcome = await Harness.Execution.ExecuteAsync(
            new ExecutionRequest(PipelineHarness.Alice, Channel.Workbench, "t", sql, "csv test", PipelineHarness.SeedPolicy()), sink, CancellationToken.None);
        await sink.FlushAsync(CancellationToken.None);
        return (output.ToArray(), outcome, sink.Rows);
    }
}

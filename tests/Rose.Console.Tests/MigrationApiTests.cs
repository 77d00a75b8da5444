using System.Diagnostics;

namespace Rose.Console.Tests;

/// <summary>POST /api/v1/sql/migrate and /api/v1/migrations/{database}/... on the real host; `rose migrate` against a real port.</summary>
[Collection("postgres")]
public sealed class MigrationApiTests(PostgresServerFixture pg) : HostTest(pg)
{
    private static object[] Files(params (string Name, string Sql)[] files) => [.. files.Select(f => new { name = f.Name, sql = f.Sql })];

    [Fact]
    public async Task Migrate_Files_AppliesThenStatusShowsApplied()
    {
        using var client = App.AgentClient();
        var files = Files(("V1__gadgets.sql", "CREATE TABLE gadgets (id int PRIMARY KEY)"), ("V2__fill.sql", "INSERT INTO gadgets SELECT generate_series(1, 3)"));

        var (status, body) = await PostAsync(client, "/api/v1/sql/migrate", new { database = "demo", migrations = files, reason = "api test" });
        var (_, state) = await PostAsync(client, "/api/v1/migrations/demo/status", new { migrations = files });
        var (_, plan) = await PostAsync(client, "/api/v1/migrations/demo/plan", new { migrations = files });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("succeeded", body.GetProperty("status").GetString());
        Assert.Equal(2, body.GetProperty("applied").GetArrayLength());
        Assert.Equal(3, body.GetProperty("applied")[1].GetProperty("post_counts").GetProperty("gadgets").GetInt64());
        Assert.All(state.GetProperty("entries").EnumerateArray(), e => Assert.Equal("applied", e.GetProperty("state").GetString()));
        Assert.True(state.GetProperty("ok").GetBoolean());
        Assert.Equal(0, plan.GetProperty("migrations").GetArrayLength());
    }

    [Fact]
    public async Task Migrate_VersionAndDescription_NameTheFile_AsTheMcpToolDescribes()
    {
        using var client = App.AgentClient();

        var (status, body) = await PostAsync(client, "/api/v1/sql/migrate", new
        {
            database = "demo",
            reason = "agent-style migrations",
            migrations = new object[]
            {
                new { version = "1", description = "create sprockets", sql = "CREATE TABLE sprockets (id int)" },
                new { version = "1.1", description = "fill", sql = "INSERT INTO sprockets VALUES (1)" },
            },
        });
        var (bad, error) = await PostAsync(client, "/api/v1/sql/migrate", new { database = "demo", reason = "x", migrations = new object[] { new { sql = "SELECT 1" } } });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["V1__create_sprockets.sql", "V1.1__fill.sql"], body.GetProperty("applied").EnumerateArray().Select(a => a.GetProperty("file").GetString()));
        Assert.Equal(HttpStatusCode.BadRequest, bad);
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("error").GetString()));
    }

    [Fact]
    public async Task Migrate_Drop_Returns202AndAppliesNothing()
    {
        using var client = App.AgentClient();

        var (status, body) = await PostAsync(client, "/api/v1/sql/migrate",
            new { database = "demo", migrations = Files(("V1__new.sql", "CREATE TABLE n1 (id int)"), ("V2__drop.sql", "DROP TABLE widgets")), reason = "x" });

        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal("pending_approval", body.GetProperty("status").GetString());
        Assert.True(body.GetProperty("approval_id").GetInt64() > 0);
        Assert.Equal(0L, await TargetScalarAsync("SELECT count(*) FROM pg_class WHERE relname = 'n1'"));
        Assert.Equal(20L, await TargetScalarAsync("SELECT count(*) FROM widgets"));
    }

    [Fact]
    public async Task Migrate_Statuses_DeniedFailedAndBadRequest()
    {
        using var client = App.AgentClient();

        var (denied, deniedBody) = await PostAsync(client, "/api/v1/sql/migrate",
            new { database = "demo", sql = "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'", reason = "x" });
        var (failed, failedBody) = await PostAsync(client, "/api/v1/sql/migrate",
            new { database = "demo", migrations = Files(("V1__bad.sql", "CREATE TABLE half (id int); INSERT INTO half VALUES ('x')")), reason = "x" });
        var (bad, _) = await PostAsync(client, "/api/v1/sql/migrate", new { database = "demo", migrations = Files(("init.sql", "SELECT 1")) });

        Assert.Equal(HttpStatusCode.Forbidden, denied);
        Assert.Equal("denied", deniedBody.GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, failed);
        Assert.Equal("22P02", failedBody.GetProperty("error").GetProperty("sqlstate").GetString());
        Assert.Equal(0L, await TargetScalarAsync("SELECT count(*) FROM pg_class WHERE relname = 'half'"));
        Assert.Equal(HttpStatusCode.BadRequest, bad);
    }

    [Fact]
    public async Task Plan_ShowsClassificationDecisionAndLint()
    {
        using var client = App.AgentClient();
        await Db.ExecAsync(App.TargetConnection, "ANALYZE widgets");
        Assert.Equal(20L, await TargetScalarAsync("SELECT reltuples::bigint FROM pg_class WHERE relname = 'widgets'"));

        var (status, plan) = await PostAsync(client, "/api/v1/migrations/demo/plan",
            new { migrations = Files(("V1__alter.sql", "ALTER TABLE widgets ADD COLUMN c int NOT NULL")) });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("approval", plan.GetProperty("decision").GetString());
        var migration = plan.GetProperty("migrations")[0];
        Assert.Equal("ALTER TABLE", migration.GetProperty("statements")[0].GetProperty("tag").GetString());
        Assert.Contains(migration.GetProperty("lint").EnumerateArray(),
            f => f.GetProperty("rule").GetString() == "adding-required-field" && f.GetProperty("severity").GetString() == "error"
                && f.GetProperty("lock").GetString() == "ACCESS EXCLUSIVE" && f.GetProperty("line").GetInt32() == 1
                && f.GetProperty("table").GetString() == "widgets" && f.GetProperty("table_rows").GetInt64() == 20);
    }

    [Fact]
    public async Task OpenApi_ListsMigrationEndpoints()
    {
        using var client = await App.ClientAsync();

        var doc = await client.GetStringAsync("/openapi/v1.json");

        Assert.Contains("/api/v1/sql/migrate", doc, StringComparison.Ordinal);
        Assert.Contains("/api/v1/migrations/{database}/plan", doc, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cli_MigrateApplyThenStatus_OverHttp()
    {
        await using var host = await RealHost.StartAsync(App.Settings);
        var dir = Directory.CreateTempSubdirectory("rose-cli-migrations").FullName;
        await File.WriteAllTextAsync(Path.Combine(dir, "V1__cli.sql"), "CREATE TABLE cli_made (id int)");

        var (applyCode, applyOut) = await RunCliAsync("migrate", "apply", "--database", "demo", "--dir", dir, "--url", host.Url.ToString(), "--api-key", RoseAppFactory.AgentKey);
        var (statusCode, statusOut) = await RunCliAsync("migrate", "status", "--database", "demo", "--dir", dir, "--url", host.Url.ToString(), "--api-key", RoseAppFactory.AgentKey, "--json");

        Assert.Equal(0, applyCode);
        Assert.Contains("status: succeeded", applyOut, StringComparison.Ordinal);
        Assert.Equal(0, statusCode);
        Assert.Equal("applied", JsonDocument.Parse(statusOut).RootElement.GetProperty("entries")[0].GetProperty("state").GetString());
    }

    [Fact]
    public async Task Check_NamesTheDifference_AndLeavesTheTargetAlone()
    {
        using var client = App.AgentClient();

        var (status, body) = await PostAsync(client, "/api/v1/migrations/demo/check", new
        {
            migrations = Files(
                ("V1__gadgets.sql", "CREATE TABLE gadgets (id int PRIMARY KEY, label varchar(20))"),
                ("U1__gadgets.sql", "DROP TABLE gadgets"),
                ("V2__index.sql", "CREATE INDEX gadgets_label ON gadgets (label)"),
                ("U2__index.sql", "SELECT 1")),
        });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(body.GetProperty("ok").GetBoolean());
        var steps = body.GetProperty("steps");
        Assert.Equal("reversible", steps[0].GetProperty("verdict").GetString());
        Assert.Equal("failed", steps[1].GetProperty("verdict").GetString());
        Assert.Equal("42P07", steps[1].GetProperty("error").GetProperty("sqlstate").GetString());
        var left = steps[1].GetProperty("undo_differences")[0];
        Assert.Equal("unexpected", left.GetProperty("change").GetString());
        Assert.Equal("public.gadgets_label", left.GetProperty("name").GetString());
        Assert.Equal(0L, await TargetScalarAsync("SELECT count(*) FROM pg_class WHERE relname IN ('gadgets', 'rose_schema_history')"));
    }

    [Fact]
    public async Task Cli_MigrateCheck_ExitsSixWhenNotReversible()
    {
        await using var host = await RealHost.StartAsync(App.Settings);
        var dir = Directory.CreateTempSubdirectory("rose-cli-check").FullName;
        await File.WriteAllTextAsync(Path.Combine(dir, "V1__t.sql"), "CREATE TABLE cli_checked (id int)");
        await File.WriteAllTextAsync(Path.Combine(dir, "U1__t.sql"), "DROP TABLE cli_checked");
        await File.WriteAllTextAsync(Path.Combine(dir, "V2__t.sql"), "ALTER TABLE cli_checked ADD COLUMN note text");

        var (code, output) = await RunCliAsync("migrate", "check", "--database", "demo", "--dir", dir, "--url", host.Url.ToString(), "--api-key", RoseAppFactory.AgentKey);
        File.Delete(Path.Combine(dir, "V2__t.sql"));
        var (okCode, okOutput) = await RunCliAsync("migrate", "check", "--database", "demo", "--dir", dir, "--url", host.Url.ToString(), "--api-key", RoseAppFactory.AgentKey);

        Assert.Equal(6, code);
        Assert.Contains("no_undo", output, StringComparison.Ordinal);
        Assert.Contains("NOT REVERSIBLE", output, StringComparison.Ordinal);
        Assert.Equal(0, okCode);
        Assert.Contains("reversible", okOutput, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Out)> RunCliAsync(params string[] args)
    {
        var exe = Rose.Tests.Shared.BuiltProgram.Find("Rose.Cli", "rose");
        Assert.True(File.Exists(exe), $"The rose CLI is not built at {exe}: run 'dotnet build Rose.Console.sln' first.");
        var info = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await stdout + await stderr);
    }
}

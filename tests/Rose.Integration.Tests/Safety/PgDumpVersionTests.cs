using Rose.Core.Migrations;

namespace Rose.Integration.Tests.Safety;

/// <summary>A pg_dump older than the target server: the snapshot step names both versions and the setting, and nothing runs.</summary>
[Collection("postgres")]
public sealed class PgDumpVersionTests(PostgresServerFixture pg) : IAsyncLifetime
{
    private readonly string folder = Directory.CreateTempSubdirectory("rose-old-pgdump-").FullName;
    private PipelineHarness h = null!;

    public async Task InitializeAsync()
    {
        // Stands in for an old client install: answers --version like pg_dump 9.6 does, and fails if asked to dump.
        var script = Path.Combine(folder, "pg_dump");
        await File.WriteAllTextAsync(script, "#!/bin/sh\nif [ \"$1\" = \"--version\" ]; then echo 'pg_dump (PostgreSQL) 9.6.24'; exit 0; fi\necho 'asked to dump' >&2\nexit 3\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        h = await PipelineHarness.CreateAsync(pg, settings: new Dictionary<string, string?>
        {
            ["Rose:Migrations:Snapshot"] = "true",
            ["Rose:Migrations:PgDumpPath"] = script,
        });
    }

    public async Task DisposeAsync()
    {
        await h.DisposeAsync();
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task OlderPgDump_StopsTheApply_NamingBothVersionsAndTheSetting()
    {
        var serverVersion = await h.TargetScalarAsync<string>("SHOW server_version");
        var runner = h.Services.GetRequiredService<MigrationRunner>();
        var set = MigrationSet.From([("V1__create.sql", "CREATE TABLE m1 (id int);")]);

        var ex = await Assert.ThrowsAsync<MigrationException>(() => runner.ApplyAsync(
            new MigrationRunRequest("t", set, PipelineHarness.Alice, PipelineHarness.SeedPolicy(), "test"), null, CancellationToken.None));

        Assert.Contains("snapshot", ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("pg_dump 9.6.24", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"PostgreSQL {serverVersion}", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Rose:Migrations:PgDumpPath", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("asked to dump", ex.Message, StringComparison.Ordinal);
        Assert.Null(await h.TargetScalarAsync<string>("SELECT to_regclass('m1')::text"));
    }
}

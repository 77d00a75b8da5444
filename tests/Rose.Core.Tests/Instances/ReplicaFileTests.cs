using Rose.Core.Configuration;
using Rose.Core.Instances;
using Rose.Core.Targets;

namespace Rose.Core.Tests.Instances;

/// <summary>replica.json: what the embedded console hands a replica, private to its OS user.</summary>
public sealed class ReplicaFileTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("rose-replica-").FullName;

    private static readonly TargetDefinition Demo = new()
    {
        Name = "demo",
        ConnectionString = "Host=127.0.0.1;Port=5999;Database=demo;Username=rose_demo_rw;Password=secret-rw",
        ReadOnlyConnectionString = "Host=127.0.0.1;Port=5999;Database=demo;Username=rose_demo_ro;Password=secret-ro",
        Environment = TargetEnvironment.Dev,
        StatementTimeout = TimeSpan.FromSeconds(30),
        LockTimeout = TimeSpan.FromSeconds(5),
        MaxRows = 10_000,
        MigrationsPath = "/data/demo-migrations",
    };

    [Fact]
    public void Write_ThenApply_ReplicaGetsControlConnectionAndTargets()
    {
        ReplicaFile.Write(dir, "Host=127.0.0.1;Port=5999;Database=rose;Username=rose_control;Password=secret", [Demo]);
        var options = new RoseOptions { ReplicaOf = dir };

        ReplicaFile.Apply(options);

        Assert.Equal("Host=127.0.0.1;Port=5999;Database=rose;Username=rose_control;Password=secret", options.ControlConnection);
        var demo = options.Targets["demo"];
        Assert.Equal(Demo.ConnectionString, demo.ConnectionString);
        Assert.Equal(Demo.ReadOnlyConnectionString, demo.ReadOnlyConnectionString);
        Assert.Equal("dev", demo.Environment);
        Assert.Equal("/data/demo-migrations", demo.MigrationsPath);
        Assert.Equal(30, demo.StatementTimeoutSeconds);
    }

    [Fact]
    public void Write_FileIsReadableByItsOwnerOnly()
    {
        ReplicaFile.Write(dir, "Host=x;Database=rose", [Demo]);

        // Rose runs on Linux; the guard is for the platform analyzer.
        Assert.True(OperatingSystem.IsLinux());
        if (OperatingSystem.IsLinux())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(ReplicaFile.PathIn(dir)));
        }

        Assert.False(File.Exists(ReplicaFile.PathIn(dir) + ".tmp"));
    }

    [Fact]
    public void Apply_TargetConfiguredOnTheReplica_KeepsTheReplicasOwn()
    {
        ReplicaFile.Write(dir, "Host=x;Database=rose", [Demo]);
        var options = new RoseOptions { ReplicaOf = dir };
        options.Targets["demo"] = new TargetOptions { ConnectionString = "Host=mine;Database=demo" };

        ReplicaFile.Apply(options);

        Assert.Equal("Host=mine;Database=demo", options.Targets["demo"].ConnectionString);
    }

    [Fact]
    public void Apply_ControlConnectionAlsoSet_FailsNamingBothKeys()
    {
        ReplicaFile.Write(dir, "Host=x;Database=rose", [Demo]);
        var options = new RoseOptions { ReplicaOf = dir, ControlConnection = "Host=y;Database=rose" };

        var error = Assert.Throws<InvalidOperationException>(() => ReplicaFile.Apply(options));

        Assert.Contains("Rose:ReplicaOf", error.Message, StringComparison.Ordinal);
        Assert.Contains("Rose:ControlConnection", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_NoFile_FailsNamingTheKey()
    {
        var error = Assert.Throws<InvalidOperationException>(() => ReplicaFile.Apply(new RoseOptions { ReplicaOf = dir }));

        Assert.StartsWith("Rose:ReplicaOf", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_BrokenFile_FailsWithoutQuotingIt()
    {
        File.WriteAllText(ReplicaFile.PathIn(dir), "{\"controlConnection\": \"Password=hunter2");

        var error = Assert.Throws<InvalidOperationException>(() => ReplicaFile.Apply(new RoseOptions { ReplicaOf = dir }));

        Assert.Contains("Rose:ReplicaOf", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_NoReplicaOf_ChangesNothing()
    {
        var options = new RoseOptions();

        ReplicaFile.Apply(options);

        Assert.Null(options.ControlConnection);
        Assert.Empty(options.Targets);
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);
}

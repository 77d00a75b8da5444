using Rose.Core.Configuration;

namespace Rose.Console.Tests.Faults;

/// <summary>
/// Rose:DataDir not writable: the console refuses to start, saying which key to fix, before it touches
/// a database (its key ring, checkpoint key and snapshots could not be kept).
/// </summary>
public sealed class ReadOnlyDataDirTests
{
    [Fact]
    public void TheCheck_NamesTheKey_AndPassesForAWritableFolder()
    {
        var error = Assert.Throws<InvalidOperationException>(() => DataDirectory.EnsureWritable(UnwritableDataDir.Create()));
        Assert.Contains("Rose:DataDir", error.Message, StringComparison.Ordinal);
        Assert.Contains("not writable", error.Message, StringComparison.Ordinal);

        var writable = Path.Combine(Directory.CreateTempSubdirectory("rose-writable-").FullName, "nested");
        DataDirectory.EnsureWritable(writable);
        Assert.Empty(Directory.EnumerateFileSystemEntries(writable));
    }

    [Fact]
    public async Task TheConsole_RefusesToStart_NamingRoseDataDir()
    {
        var start = ConsoleProcess.StartAsync(new Dictionary<string, string?>
        {
            // Never reached: the data dir is checked first.
            ["Rose__ControlConnection"] = "Host=127.0.0.1;Port=1;Username=rose;Password=unused;Database=rose",
            ["Rose__DataDir"] = UnwritableDataDir.Create(),
        }, TimeSpan.FromSeconds(60));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => start);
        Assert.Contains("exited with code", error.Message, StringComparison.Ordinal);
        Assert.Contains("Rose:DataDir", error.Message, StringComparison.Ordinal);
        Assert.Contains("is not writable by this process", error.Message, StringComparison.Ordinal);
    }
}

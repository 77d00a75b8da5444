namespace Rose.Core.Configuration;

/// <summary>
/// Rose:DataDir must be writable before anything starts: the embedded cluster, the Data Protection key
/// file, the audit checkpoint key and file, and schema snapshots live there. A read-only folder would
/// otherwise surface later as a half-working console (sign-in that fails, checkpoints never signed),
/// so start-up fails at once with a message naming the key.
/// </summary>
public static class DataDirectory
{
    /// <summary>Creates the folder if missing and proves a file can be written, synced and removed there.</summary>
    /// <exception cref="InvalidOperationException">The folder cannot be created or written; the message names Rose:DataDir.</exception>
    public static void EnsureWritable(string dataDir)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDir);
        var probe = Path.Combine(dataDir, $".rose-write-probe-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(dataDir);
            using (var file = new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.WriteThrough))
            {
                // One byte written through to the disk: a full disk fails here too, not only a read-only mount.
                file.WriteByte(0);
                file.Flush(flushToDisk: true);
            }

            File.Delete(probe);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new InvalidOperationException(
                $"Rose:DataDir '{dataDir}' is not writable by this process ({Environment.UserName}): {ex.Message} "
                + "Rose keeps its key ring, audit checkpoint key, snapshots and (without Rose:ControlConnection) its PostgreSQL cluster there. "
                + "Set Rose:DataDir to a folder this user can write.", ex);
        }
    }
}

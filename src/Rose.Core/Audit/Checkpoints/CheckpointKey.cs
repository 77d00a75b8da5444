using System.Security.Cryptography;

namespace Rose.Core.Audit.Checkpoints;

/// <summary>
/// The HMAC key that signs checkpoints: a file under Rose:DataDir (or Rose:Audit:CheckpointKeyFile),
/// never in the control database, so whoever can rewrite the audit tables cannot forge a checkpoint.
/// Created on first use with owner-only permissions.
/// </summary>
internal static class CheckpointKey
{
    public const int Length = 32;

    public static byte[] LoadOrCreate(string path)
    {
        if (File.Exists(path))
        {
            var existing = File.ReadAllBytes(path);
            if (existing.Length < Length)
            {
                throw new InvalidOperationException($"The audit checkpoint key {path} is shorter than {Length} bytes; refusing to sign with it.");
            }

            return existing;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var key = RandomNumberGenerator.GetBytes(Length);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using var file = new FileStream(path, options);
            file.Write(key);
            return key;
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another instance created it first: use theirs.
            return LoadOrCreate(path);
        }
    }
}

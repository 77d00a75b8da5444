using System.Security.Cryptography;
using System.Text;

namespace Rose.Console.Hosting.KeyRing;

/// <summary>
/// The AES-256 key that encrypts the key ring at rest when no certificate is configured, derived from the
/// key file (Rose:DataProtection:KeyFile, default data-protection.key under Rose:DataDir). The file never
/// goes into the control database, so a copy of that database alone opens no cookie.
/// </summary>
public sealed class KeyRingSecret
{
    public const int MinimumLength = 32;

    private KeyRingSecret(byte[] key, string path)
    {
        Key = key;
        Path = path;
        Id = Convert.ToHexStringLower(SHA256.HashData(key))[..16];
    }

    internal byte[] Key { get; }

    /// <summary>Where the key came from (for error messages; the content is never shown).</summary>
    public string Path { get; }

    /// <summary>A fingerprint stored beside each encrypted key, so a replica with another file gets a clear error.</summary>
    public string Id { get; }

    /// <summary>Reads the key file; creates it (0600, 32 random bytes) only when <paramref name="create"/> and missing.</summary>
    public static KeyRingSecret Load(string path, bool create)
    {
        if (!File.Exists(path))
        {
            if (!create)
            {
                throw new InvalidOperationException($"Rose:DataProtection:KeyFile: no file at '{path}'. Give every console the same key file (at least {MinimumLength} random bytes).");
            }

            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
            // Written to a private temporary file and moved into place, so another console starting at the
            // same moment never reads a half-written key; whoever moves first wins and the other uses theirs.
            var temporary = path + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var file = new FileStream(temporary, options))
            {
                file.Write(RandomNumberGenerator.GetBytes(MinimumLength));
            }

            try
            {
                File.Move(temporary, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                File.Delete(temporary);
            }
        }

        var content = File.ReadAllBytes(path);
        if (content.Length < MinimumLength)
        {
            throw new InvalidOperationException($"Rose:DataProtection:KeyFile: '{path}' holds fewer than {MinimumLength} bytes.");
        }

        // Derived rather than used raw, so a file of any length (and any other use of it) yields an independent AES key.
        var key = HKDF.DeriveKey(HashAlgorithmName.SHA256, content, 32, salt: [], info: Encoding.UTF8.GetBytes("rose-data-protection-key-ring"));
        return new KeyRingSecret(key, path);
    }
}

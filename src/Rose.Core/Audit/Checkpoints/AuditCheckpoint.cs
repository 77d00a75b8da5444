using System.Security.Cryptography;

namespace Rose.Core.Audit.Checkpoints;

/// <summary>
/// A signed statement "the chain's newest row was Id, with row hash Hash, at Time". Kept outside the
/// control database, it pins the chain's head: rows cut from the tail, or a chain rebuilt from the
/// start with fresh hashes, no longer match the last checkpoint.
/// </summary>
/// <param name="Chain">Which control database's chain (host:port/database), so a checkpoint cannot be moved to another.</param>
public sealed record AuditCheckpoint(string Chain, long Id, string Hash, DateTimeOffset Time, string Signature)
{
    /// <summary>The signed bytes: fixed, unambiguous fields (hex hash, integer id, UTC ticks).</summary>
    internal static byte[] Payload(string chain, long id, string hash, DateTimeOffset time) =>
        Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"rose-audit-checkpoint|v1|{chain.Length}:{chain}|{id}|{hash}|{time.UtcTicks}"));

    internal static AuditCheckpoint Sign(string chain, long id, string hash, DateTimeOffset time, byte[] key) =>
        new(chain, id, hash, time, Convert.ToHexStringLower(HMACSHA256.HashData(key, Payload(chain, id, hash, time))));

    /// <summary>Constant-time check of the signature against the key.</summary>
    internal bool IsSignedWith(byte[] key)
    {
        byte[] given;
        try
        {
            given = Convert.FromHexString(Signature);
        }
        catch (FormatException)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(given, HMACSHA256.HashData(key, Payload(Chain, Id, Hash, Time)));
    }
}

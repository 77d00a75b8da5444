using System.Security.Cryptography;

namespace Rose.Core.Agents;

/// <summary>API keys: random, shown once, stored only as SHA-256 hashes.</summary>
public static class ApiKeys
{
    /// <summary>Prefix that makes Rose keys recognisable to secret scanners.</summary>
    public const string Prefix = "rose_";

    public static string Generate() => Prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

    /// <summary>Keys are high-entropy random strings, so a plain SHA-256 (no salt, no stretching) is enough and lets lookups use an index.</summary>
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)));

    /// <summary>Whether a presented key is worth hashing and looking up at all (not empty, not absurdly long).</summary>
    public static bool IsPlausible(string? key) => !string.IsNullOrEmpty(key) && key.Length <= 512;

    /// <summary>The first characters of a key, safe to show so a person can tell keys apart.</summary>
    public static string DisplayPrefix(string key) => key.Length <= 12 ? "****" : key[..12] + "…";
}

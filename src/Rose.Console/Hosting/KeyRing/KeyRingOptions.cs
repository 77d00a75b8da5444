namespace Rose.Console.Hosting.KeyRing;

/// <summary>
/// Rose:DataProtection: how the Data Protection keys kept in the control database are encrypted at rest.
/// Every console sharing a control database must be given the same certificate or key file.
/// </summary>
public sealed class KeyRingOptions
{
    public const string SectionName = "Rose:DataProtection";

    /// <summary>The default key file name, under Rose:DataDir (or, for a replica, under Rose:ReplicaOf).</summary>
    public const string DefaultKeyFileName = "data-protection.key";

    /// <summary>A PKCS#12 (.pfx) file with a private key that encrypts the key ring. Takes precedence over any key file.</summary>
    public string? CertificatePath { get; set; }

    public string? CertificatePassword { get; set; }

    /// <summary>A file of at least 32 random bytes (e.g. `head -c 32 /dev/urandom`); created with mode 0600 when it is the default and missing.</summary>
    public string? KeyFile { get; set; }
}

using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;

namespace Rose.Console.Hosting.KeyRing;

/// <summary>
/// Encrypts each Data Protection key's XML with AES-256-GCM under the key-file secret before it is stored
/// in the control database. The element keeps the secret's fingerprint so a console with another key file
/// fails with a message, not a bare authentication error.
/// </summary>
public sealed class KeyFileXmlEncryptor(KeyRingSecret secret) : IXmlEncryptor
{
    internal static readonly XNamespace Ns = "urn:rose:data-protection:key-file";

    /// <summary>Binds each ciphertext to its purpose: the same key file used elsewhere cannot be replayed here.</summary>
    internal static readonly byte[] AssociatedData = Encoding.UTF8.GetBytes("rose-key-ring-v1");

    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        ArgumentNullException.ThrowIfNull(plaintextElement);
        var plaintext = Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        var nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
        var tag = new byte[AesGcm.TagByteSizes.MaxSize];
        var ciphertext = new byte[plaintext.Length];
        using (var aes = new AesGcm(secret.Key, tag.Length))
        {
            aes.Encrypt(nonce, plaintext, ciphertext, tag, AssociatedData);
        }

        CryptographicOperations.ZeroMemory(plaintext);
        var element = new XElement(Ns + "encryptedKey",
            new XComment(" AES-256-GCM under Rose:DataProtection:KeyFile "),
            new XElement(Ns + "keyFile", secret.Id),
            new XElement(Ns + "nonce", Convert.ToBase64String(nonce)),
            new XElement(Ns + "tag", Convert.ToBase64String(tag)),
            new XElement(Ns + "value", Convert.ToBase64String(ciphertext)));
        return new EncryptedXmlInfo(element, typeof(KeyFileXmlDecryptor));
    }
}

/// <summary>The reverse of <see cref="KeyFileXmlEncryptor"/>; Data Protection creates it by type, with the host's services.</summary>
public sealed class KeyFileXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement)
    {
        ArgumentNullException.ThrowIfNull(encryptedElement);
        var secret = (KeyRingSecret?)services.GetService(typeof(KeyRingSecret))
            ?? throw new InvalidOperationException("The key ring holds keys encrypted with a key file, but this console is configured with Rose:DataProtection:CertificatePath.");
        var ns = KeyFileXmlEncryptor.Ns;
        var fingerprint = (string?)encryptedElement.Element(ns + "keyFile");
        if (fingerprint != secret.Id)
        {
            throw new CryptographicException(
                $"A key in the shared key ring was encrypted with another key file (fingerprint {fingerprint}) than this console's Rose:DataProtection:KeyFile " +
                $"({secret.Path}, fingerprint {secret.Id}): give every console the same key file.");
        }

        var nonce = Convert.FromBase64String((string?)encryptedElement.Element(ns + "nonce") ?? string.Empty);
        var tag = Convert.FromBase64String((string?)encryptedElement.Element(ns + "tag") ?? string.Empty);
        var ciphertext = Convert.FromBase64String((string?)encryptedElement.Element(ns + "value") ?? string.Empty);
        var plaintext = new byte[ciphertext.Length];
        using (var aes = new AesGcm(secret.Key, tag.Length))
        {
            aes.Decrypt(nonce, ciphertext, tag, plaintext, KeyFileXmlEncryptor.AssociatedData);
        }

        try
        {
            return XElement.Parse(Encoding.UTF8.GetString(plaintext));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }
}

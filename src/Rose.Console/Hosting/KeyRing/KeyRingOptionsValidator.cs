using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace Rose.Console.Hosting.KeyRing;

/// <summary>Checks Rose:DataProtection before anything is encrypted with it; every message names the key to fix.</summary>
public sealed class KeyRingOptionsValidator : IValidateOptions<KeyRingOptions>
{
    public ValidateOptionsResult Validate(string? name, KeyRingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        var certificate = Present(options.CertificatePath);
        var keyFile = Present(options.KeyFile);
        if (certificate is not null && keyFile is not null)
        {
            errors.Add("Rose:DataProtection:CertificatePath and Rose:DataProtection:KeyFile are both set: the key ring is encrypted with one of them; remove the other.");
        }

        if (certificate is null && !string.IsNullOrEmpty(options.CertificatePassword))
        {
            errors.Add("Rose:DataProtection:CertificatePassword is set without Rose:DataProtection:CertificatePath.");
        }

        if (certificate is not null)
        {
            if (!File.Exists(certificate))
            {
                errors.Add($"Rose:DataProtection:CertificatePath: no file at '{certificate}'.");
            }
            else
            {
                var problem = CertificateProblem(certificate, options.CertificatePassword);
                if (problem is not null)
                {
                    errors.Add(problem);
                }
            }
        }

        if (keyFile is not null && File.Exists(keyFile) && new FileInfo(keyFile).Length < KeyRingSecret.MinimumLength)
        {
            errors.Add($"Rose:DataProtection:KeyFile: '{keyFile}' holds fewer than {KeyRingSecret.MinimumLength} bytes; write at least {KeyRingSecret.MinimumLength} random bytes (head -c 32 /dev/urandom).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static string? Present(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static string? CertificateProblem(string path, string? password)
    {
        try
        {
            using var certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password);
            if (!certificate.HasPrivateKey)
            {
                return $"Rose:DataProtection:CertificatePath: '{path}' has no private key; the key ring could be encrypted but never read back.";
            }

            return certificate.GetRSAPrivateKey() is null
                ? $"Rose:DataProtection:CertificatePath: '{path}' is not an RSA certificate (Data Protection's XML encryption needs RSA)."
                : null;
        }
        catch (CryptographicException)
        {
            // The exception text may echo nothing secret, but the password is never repeated either.
            return $"Rose:DataProtection:CertificatePath: '{path}' could not be opened as PKCS#12 with Rose:DataProtection:CertificatePassword (wrong password or not a .pfx).";
        }
    }
}

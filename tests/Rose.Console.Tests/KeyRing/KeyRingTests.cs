using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Rose.Console.Hosting.KeyRing;
using Rose.Core.Configuration;
using Rose.Core.Control;
using static Rose.Tests.Shared.Db;

namespace Rose.Console.Tests.KeyRing;

/// <summary>The Data Protection key ring in the control database, encrypted with a key file, shared by consoles.</summary>
public sealed class KeyRingTests(PostgresServerFixture pg) : IClassFixture<PostgresServerFixture>, IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("rose-keyring-").FullName;

    [Fact]
    public async Task Protect_OnOneConsole_UnprotectsOnAnotherWithTheSameKeyFile()
    {
        var control = await MigratedControlAsync("keyring_shared");
        var keyFile = Path.Combine(dir, "shared.key");
        await using var a = Console(control, keyFile);
        await using var b = Console(control, keyFile);

        var token = a.GetRequiredService<IDataProtectionProvider>().CreateProtector("rose.test").Protect("signed in as alice");

        Assert.Equal("signed in as alice", b.GetRequiredService<IDataProtectionProvider>().CreateProtector("rose.test").Unprotect(token));
        Assert.Equal(1L, await ScalarAsync<long>(control, "SELECT count(*) FROM rose.data_protection_keys"));
    }

    [Fact]
    public async Task StoredKey_IsEncryptedWithTheKeyFile_NoMasterKeyInTheDatabase()
    {
        var control = await MigratedControlAsync("keyring_at_rest");
        await using var a = Console(control, Path.Combine(dir, "at-rest.key"));

        var xml = await ScalarAsync<string>(control, "SELECT xml FROM rose.data_protection_keys");

        Assert.Contains("urn:rose:data-protection:key-file", xml, StringComparison.Ordinal);
        Assert.Contains("encryptedSecret", xml, StringComparison.Ordinal);
        Assert.DoesNotContain("masterKey", xml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unprotect_OnConsoleWithAnotherKeyFile_Fails()
    {
        var control = await MigratedControlAsync("keyring_other_file");
        await using var a = Console(control, Path.Combine(dir, "one.key"));
        var token = a.GetRequiredService<IDataProtectionProvider>().CreateProtector("rose.test").Protect("x");
        await using var stranger = Console(control, Path.Combine(dir, "two.key"), ensure: false);

        Assert.ThrowsAny<CryptographicException>(() => stranger.GetRequiredService<IDataProtectionProvider>().CreateProtector("rose.test").Unprotect(token));
    }

    [Fact]
    public async Task Certificate_KeysWrittenByOneConsole_OpenOnAnotherWithTheSameCertificate_AndNotWithAnother()
    {
        var control = await MigratedControlAsync("keyring_certificate");
        var shared = Certificate("shared.pfx", "rose-shared-pw");
        var other = Certificate("other.pfx", "rose-other-pw");
        await using var a = Console(control, certificate: (shared, "rose-shared-pw"));
        var token = a.GetRequiredService<IDataProtectionProvider>().CreateProtector("rose.test").Protect("signed in as carol");
        await using var b = Console(control, certificate: (shared, "rose-shared-pw"), ensure: false);
        await using var stranger = Console(control, certificate: (other, "rose-other-pw"), ensure: false);

        Assert.Equal("signed in as carol", b.GetRequiredService<IDataProtectionProvider>().CreateProtector("rose.test").Unprotect(token));
        Assert.ThrowsAny<CryptographicException>(() => stranger.GetRequiredService<IDataProtectionProvider>().CreateProtector("rose.test").Unprotect(token));
        // At rest the key is encrypted to the certificate: no plain master key in the control database.
        var xml = await ScalarAsync<string>(control, "SELECT xml FROM rose.data_protection_keys");
        Assert.Contains("EncryptedXmlDecryptor", xml, StringComparison.Ordinal);
        Assert.DoesNotContain("masterKey", xml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeyFile_CreatedOnFirstStart_IsPrivate()
    {
        var control = await MigratedControlAsync("keyring_file_mode");
        var keyFile = Path.Combine(dir, "new", "created.key");
        await using var a = Console(control, keyFile);

        Assert.Equal(KeyRingSecret.MinimumLength, new FileInfo(keyFile).Length);
        Assert.True(OperatingSystem.IsLinux());
        if (OperatingSystem.IsLinux())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        }
    }

    [Theory]
    [InlineData("both", "Rose:DataProtection:CertificatePath and Rose:DataProtection:KeyFile are both set")]
    [InlineData("no-certificate", "Rose:DataProtection:CertificatePath: no file at")]
    [InlineData("short-key", "Rose:DataProtection:KeyFile:")]
    [InlineData("password-only", "Rose:DataProtection:CertificatePassword is set without Rose:DataProtection:CertificatePath")]
    [InlineData("not-a-certificate", "Rose:DataProtection:CertificatePath: ")]
    public void Validate_BadSettings_NameTheKey(string case_, string expected)
    {
        var shortKey = Path.Combine(dir, "short.key");
        File.WriteAllBytes(shortKey, new byte[8]);
        var garbage = Path.Combine(dir, "garbage.pfx");
        File.WriteAllText(garbage, "not a certificate");
        var options = case_ switch
        {
            "both" => new KeyRingOptions { CertificatePath = garbage, KeyFile = shortKey },
            "no-certificate" => new KeyRingOptions { CertificatePath = Path.Combine(dir, "missing.pfx") },
            "short-key" => new KeyRingOptions { KeyFile = shortKey },
            "password-only" => new KeyRingOptions { CertificatePassword = "pw" },
            _ => new KeyRingOptions { CertificatePath = garbage, CertificatePassword = "hunter2" },
        };

        var result = new KeyRingOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith(expected, StringComparison.Ordinal));
        Assert.DoesNotContain(result.Failures!, f => f.Contains("hunter2", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_Defaults_Succeed() =>
        Assert.True(new KeyRingOptionsValidator().Validate(null, new KeyRingOptions()).Succeeded);

    /// <summary>One console's Data Protection services, as the host builds them, over a shared control database.</summary>
    private ServiceProvider Console(string control, string? keyFile = null, bool ensure = true, (string Path, string Password)? certificate = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Rose:DataProtection:KeyFile"] = keyFile,
            ["Rose:DataProtection:CertificatePath"] = certificate?.Path,
            ["Rose:DataProtection:CertificatePassword"] = certificate?.Password,
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(_ => new ControlDatabase(control));
        services.AddRoseKeyRing(configuration, new RoseOptions { DataDir = dir, ControlConnection = control }, NullLogger.Instance);
        var provider = services.BuildServiceProvider();
        if (ensure)
        {
            provider.EnsureRoseKeyRing();
        }

        return provider;
    }

    /// <summary>A self-signed RSA certificate with its private key, as a password-protected .pfx like an operator would deploy.</summary>
    private string Certificate(string fileName, string password)
    {
        using var rsa = RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest(
            "CN=rose-key-ring-test", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var path = Path.Combine(dir, fileName);
        File.WriteAllBytes(path, certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx, password));
        return path;
    }

    /// <summary>A control database with the current schema: a copy of the run's migrated template, not the migrations replayed per test.</summary>
    private Task<string> MigratedControlAsync(string prefix) => pg.CreateControlDatabaseAsync(prefix);

    public void Dispose() => Directory.Delete(dir, recursive: true);
}

using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Options;
using Rose.Core.Configuration;
using Rose.Core.Instances;
using Rose.Core.Control;

namespace Rose.Console.Hosting.KeyRing;

/// <summary>
/// ASP.NET Core Data Protection for several consoles: one key ring in the control database, encrypted at
/// rest with the configured certificate or key file, under one application name. So the sign-in cookie,
/// antiforgery tokens and anything else protected on one console open on every other.
/// </summary>
public static class KeyRingSetup
{
    /// <summary>Fixed: the default discriminator is the install path, which differs between hosts and would split the ring.</summary>
    public const string ApplicationName = "Rose.Console";

    public static IServiceCollection AddRoseKeyRing(this IServiceCollection services, IConfiguration configuration, RoseOptions rose, ILogger log)
    {
        var options = configuration.GetSection(KeyRingOptions.SectionName).Get<KeyRingOptions>() ?? new KeyRingOptions();
        // Checked now, not at ValidateOnStart: the certificate or key file is needed to build the services.
        var validation = new KeyRingOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(KeyRingOptions.SectionName, typeof(KeyRingOptions), validation.Failures);
        }

        services.AddOptions<KeyRingOptions>().Bind(configuration.GetSection(KeyRingOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<KeyRingOptions>, KeyRingOptionsValidator>();

        var dataProtection = services.AddDataProtection().SetApplicationName(ApplicationName);
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp => new ConfigureOptions<KeyManagementOptions>(
            o => o.XmlRepository = new ControlDatabaseXmlRepository(sp.GetRequiredService<ControlDatabase>())));

        if (!string.IsNullOrWhiteSpace(options.CertificatePath))
        {
            var certificate = X509CertificateLoader.LoadPkcs12FromFile(options.CertificatePath, options.CertificatePassword);
            dataProtection.ProtectKeysWithCertificate(certificate).UnprotectKeysWithAnyCertificate(certificate);
            log.LogInformation("Rose:DataProtection: the key ring is encrypted with the certificate {Thumbprint}", certificate.Thumbprint);
            return services;
        }

        var replica = !string.IsNullOrWhiteSpace(rose.ReplicaOf);
        var configured = !string.IsNullOrWhiteSpace(options.KeyFile);
        var path = configured ? options.KeyFile! : Path.Combine(replica ? rose.ReplicaOf! : rose.DataDir, KeyRingOptions.DefaultKeyFileName);
        // A replica reads the first console's file and never makes one of its own: a new file could not open the ring.
        var secret = KeyRingSecret.Load(path, create: !replica);
        services.AddSingleton(secret);
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(_ => new ConfigureOptions<KeyManagementOptions>(
            o => o.XmlEncryptor = new KeyFileXmlEncryptor(secret)));
        if (!configured && !replica && !string.IsNullOrWhiteSpace(rose.ControlConnection))
        {
            log.LogWarning("Rose:DataProtection: the key ring in the control database is encrypted with {Path}; every other console on this " +
                "control database needs the same file (Rose:DataProtection:KeyFile) or a shared certificate (Rose:DataProtection:CertificatePath)", path);
        }

        return services;
    }

    /// <summary>
    /// Makes sure the ring holds a key before the console serves, under an advisory lock: consoles starting
    /// together on an empty ring would otherwise each create a key and each sign cookies with their own.
    /// </summary>
    public static void EnsureRoseKeyRing(this IServiceProvider services)
    {
        var control = services.GetRequiredService<ControlDatabase>();
        var protector = services.GetRequiredService<IDataProtectionProvider>().CreateProtector("Rose.KeyRing.Start");
        AdvisoryLocks.WithLockAsync(control.DataSource, AdvisoryLocks.KeyRing, () =>
        {
            protector.Protect([1]);
            return Task.CompletedTask;
        }, CancellationToken.None).GetAwaiter().GetResult();
    }
}

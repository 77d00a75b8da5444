using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;
using Rose.Core.Advisor;
using Rose.Core.Agents;
using Rose.Core.Approvals;
using Rose.Core.Devlogs;
using Rose.Core.Migrations;
using Rose.Core.Undo;
using Rose.Core.Validation;

namespace Rose.Core;

public static class RoseCoreServiceCollectionExtensions
{
    /// <summary>
    /// The services layer every adapter (console, API, CLI, MCP) uses. The runtime (control database,
    /// targets) comes from <see cref="RoseBootstrap.StartAsync"/>, which runs before the host is built.
    /// </summary>
    public static IServiceCollection AddRoseCore(this IServiceCollection services, RoseRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        NpgsqlSettings.EnsureRawSql();
        services.AddOptions<RoseOptions>().BindConfiguration(RoseOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RoseOptions>, RoseOptionsValidator>();

        // Registered through factories so the container owns them: disposing the host closes the
        // pools and stops the embedded cluster (instances handed to DI are never disposed by it).
        services.AddSingleton(_ => runtime);
        services.AddSingleton(sp => sp.GetRequiredService<RoseRuntime>().Control);
        services.AddSingleton(_ =>
        {
            var registry = new TargetRegistry();
            foreach (var target in runtime.Targets)
            {
                registry.Register(target);
            }

            return registry;
        });
        services.AddRoseSql();
        services.AddSingleton<PolicyEnforcer>();
        services.AddSingleton<SqlExecutor>();
        services.AddSingleton<AuditedRuns>();
        services.AddSingletonWithInternalConstructor<AuditedActions>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<AuditChainVerifier>();
        services.AddSingleton<Audit.Checkpoints.AuditCheckpoints>();
        services.AddSingleton<RejectedRequestLog>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<Instances.WorkClaims>();
        services.AddHostedService<Audit.Checkpoints.AuditCheckpointService>();
        services.AddSingleton<Audit.Recovery.AuditRecovery>();
        services.AddHostedService<Audit.Recovery.AuditRecoveryService>();
        services.AddSingleton<AuditReader>();
        services.AddHostedService<AuditTextGramRefresher>();
        services.AddHostedService<AuditTextTierKeeper>();
        services.AddSingleton<DevlogStore>();
        services.AddSingleton<ApprovalStore>();
        services.AddSingletonWithInternalConstructor<ApprovalService>();
        services.AddSingletonWithInternalConstructor<ApprovalPreviewer>();
        services.AddSingleton<IApprovalParking, ApprovalParking>();
        services.AddSingleton<ApprovalNotifier>();
        services.AddHostedService(sp => sp.GetRequiredService<ApprovalNotifier>());
        services.AddHostedService<ApprovalExpiryService>();
        services.AddSingleton<ApiKeyCache>();
        services.AddSingleton(sp => new AgentStore(sp.GetRequiredService<ControlDatabase>(), sp.GetRequiredService<ApiKeyCache>()));
        services.AddHostedService<ApiKeyChangeListener>();
        services.AddSingleton<ApiKeyUsage>();
        services.AddHostedService(sp => sp.GetRequiredService<ApiKeyUsage>());
        services.AddSingleton<ApiKeyAuthenticator>();
        services.AddSingleton<AdminAuditLog>();
        services.AddSingleton<AgentAdmin>();
        services.AddSingletonWithInternalConstructor<ExecutionService>();
        services.AddRoseUndo();
        services.AddSingleton<ControlSchemaMigrator>();
        services.AddSingletonWithInternalConstructor<MigrationParts>();
        services.AddSingleton<MigrationPlanner>();
        services.AddSingleton<MigrationRunner>();
        services.AddSingleton<Migrations.Reversibility.ReversibilityChecker>();
        services.AddSingletonWithInternalConstructor<MigrationSnapshots>();
        services.AddSingleton<MigrationDevlog>();
        services.AddSingleton<MigrationSources>();
        services.AddSingleton<IApprovedRunGuard, ApprovedMigrationRun>();
        services.AddRoseValidation();
        services.AddRoseAdvisor();
        return services;
    }

    /// <summary>
    /// Registers a public service whose constructor is internal because it takes Execution's internal
    /// parts (the executor, target sessions, the audited-run primitive): hosts resolve the service, and
    /// cannot build one around those parts. The container only calls public constructors, so this
    /// factory resolves the internal one's parameters itself.
    /// </summary>
    internal static IServiceCollection AddSingletonWithInternalConstructor<T>(this IServiceCollection services)
        where T : class
    {
        var constructor = typeof(T).GetConstructors(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)
            .Single(c => c.IsAssembly);
        return services.AddSingleton(sp => (T)constructor.Invoke([.. constructor.GetParameters().Select(p => sp.GetRequiredService(p.ParameterType))]));
    }
}

using Microsoft.Extensions.DependencyInjection;

namespace Rose.Core.Undo;

public static class UndoServiceCollectionExtensions
{
    /// <summary>Prior backups and data snapshots with their retention jobs, rollback of a change, drift.</summary>
    public static IServiceCollection AddRoseUndo(this IServiceCollection services)
    {
        services.AddSingleton<PriorBackupStore>();
        services.AddSingleton<PriorBackups>();
        services.AddSingletonWithInternalConstructor<ChangeRollback>();
        services.AddSingletonWithInternalConstructor<SchemaBaseline>();
        services.AddSingletonWithInternalConstructor<SchemaDrift>();
        services.AddSingletonWithInternalConstructor<DataSnapshots>();
        services.AddSingleton<Approvals.IApprovedRunGuard, ApprovedSnapshotRestore>();
        services.AddSingleton<PriorBackupCleanup>();
        services.AddHostedService(sp => sp.GetRequiredService<PriorBackupCleanup>());
        services.AddSingleton<DataSnapshotCleanup>();
        services.AddHostedService(sp => sp.GetRequiredService<DataSnapshotCleanup>());
        return services;
    }
}

using Microsoft.Extensions.DependencyInjection;

namespace Rose.Core.Undo;

public static class UndoServiceCollectionExtensions
{
    /// <summary>Prior backups, their retention job, and rollback of a change.</summary>
    public static IServiceCollection AddRoseUndo(this IServiceCollection services)
    {
        services.AddSingleton<PriorBackupStore>();
        services.AddSingleton<PriorBackups>();
        services.AddSingletonWithInternalConstructor<ChangeRollback>();
        services.AddSingletonWithInternalConstructor<SchemaBaseline>();
        services.AddSingletonWithInternalConstructor<SchemaDrift>();
        services.AddSingletonWithInternalConstructor<DataSnapshots>();
        services.AddSingleton<PriorBackupCleanup>();
        services.AddHostedService(sp => sp.GetRequiredService<PriorBackupCleanup>());
        return services;
    }
}

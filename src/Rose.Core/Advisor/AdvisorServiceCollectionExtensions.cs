using Microsoft.Extensions.DependencyInjection;

namespace Rose.Core.Advisor;

public static class AdvisorServiceCollectionExtensions
{
    /// <summary>The performance advisor: slow queries, index advice proven with hypopg, health checks.</summary>
    public static IServiceCollection AddRoseAdvisor(this IServiceCollection services)
    {
        services.AddOptions<AdvisorOptions>().BindConfiguration(AdvisorOptions.SectionName)
            .Validate(o => o.LongRunningSeconds > 0, "Rose:Advisor:LongRunningSeconds must be a positive number of seconds.")
            .Validate(o => o.IdleInTransactionSeconds > 0, "Rose:Advisor:IdleInTransactionSeconds must be a positive number of seconds.")
            .Validate(o => o.LockWaitSeconds > 0, "Rose:Advisor:LockWaitSeconds must be a positive number of seconds.")
            .ValidateOnStart();
        services.AddSingleton<AdvisorReads>();
        services.AddSingleton<SlowQueryService>();
        services.AddSingleton<IndexAdvisor>();
        services.AddSingleton<HealthCheckService>();
        services.AddSingleton<QueryPlanService>();
        services.AddSingletonWithInternalConstructor<IndexMigrationWriter>();
        services.AddSingleton<DemoWorkload>();
        services.AddHostedService<DemoWorkloadService>();
        return services;
    }
}

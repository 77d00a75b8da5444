using Microsoft.Extensions.DependencyInjection;

namespace Rose.Core.Advisor;

public static class AdvisorServiceCollectionExtensions
{
    /// <summary>The performance advisor: slow queries, index advice proven with hypopg, health checks.</summary>
    public static IServiceCollection AddRoseAdvisor(this IServiceCollection services)
    {
        services.AddSingleton<AdvisorReads>();
        services.AddSingleton<SlowQueryService>();
        services.AddSingleton<IndexAdvisor>();
        services.AddSingleton<HealthCheckService>();
        services.AddSingleton<QueryPlanService>();
        return services;
    }
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Rose.Core.Sql;

public static class SqlServiceCollectionExtensions
{
    /// <summary>Registers the libpg_query classifier as the process-wide <see cref="ISqlClassifier"/>.</summary>
    public static IServiceCollection AddRoseSql(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<ISqlClassifier, PgQueryClassifier>();
        return services;
    }
}

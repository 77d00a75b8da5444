using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Rose.Core.Validation.Storage;

namespace Rose.Core.Validation;

public static class ValidationServiceCollectionExtensions
{
    public const string SectionName = "Rose:Validation";

    /// <summary>The validation dashboard's services and its scheduler (off unless Rose:Validation:ScheduleMinutes &gt; 0).</summary>
    public static IServiceCollection AddRoseValidation(this IServiceCollection services)
    {
        services.AddOptions<ValidationOptions>().BindConfiguration(SectionName)
            .Validate(o => o.ScheduleMinutes >= 0, "Rose:Validation:ScheduleMinutes must be 0 (off) or a positive number of minutes.")
            .Validate(o => o.RunTimeoutSeconds > 0, "Rose:Validation:RunTimeoutSeconds must be positive.")
            .Validate(o => o.AbandonAfterSeconds >= ValidationOptions.MinAbandonAfterSeconds,
                $"Rose:Validation:AbandonAfterSeconds must be at least {ValidationOptions.MinAbandonAfterSeconds} (seconds without a heartbeat before a run counts as abandoned).")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<TargetReader>();
        services.AddSingleton<ValidationCheckStore>();
        services.AddSingleton<ValidationRunStore>();
        services.AddSingleton<ValidationResultStore>();
        services.AddSingleton<ValidationFindingStore>();
        services.AddSingleton<ValidationRunner>();
        services.AddSingleton<ValidationScheduler>();
        services.AddHostedService(sp => sp.GetRequiredService<ValidationScheduler>());
        return services;
    }
}

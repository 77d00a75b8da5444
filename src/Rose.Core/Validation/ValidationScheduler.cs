using Microsoft.Extensions.Hosting;

namespace Rose.Core.Validation;

/// <summary>
/// Runs every target's validation each Rose:Validation:ScheduleMinutes. Time is cut into slots of
/// that length; each instance tries to claim the current slot per database in rose.validation_runs,
/// and only the one whose insert wins runs it, so several consoles sharing a control database
/// validate once per slot.
/// </summary>
public sealed class ValidationScheduler(
    ValidationRunner runner,
    TargetRegistry targets,
    IOptions<ValidationOptions> options,
    ILogger<ValidationScheduler> logger,
    TimeProvider time) : BackgroundService
{
    /// <summary>The start of the slot holding <paramref name="now"/>.</summary>
    public static DateTimeOffset SlotOf(DateTimeOffset now, TimeSpan interval)
    {
        var ticks = now.UtcTicks - (now.UtcTicks % interval.Ticks);
        return new DateTimeOffset(ticks, TimeSpan.Zero);
    }

    /// <summary>One pass over every target for the current slot; returns how many runs this instance did.</summary>
    public async Task<int> RunDueAsync(CancellationToken ct)
    {
        var minutes = options.Value.ScheduleMinutes;
        if (minutes <= 0)
        {
            return 0;
        }

        var slot = SlotOf(time.GetUtcNow(), TimeSpan.FromMinutes(minutes));
        var ran = 0;
        foreach (var target in targets.All)
        {
            try
            {
                if (await runner.RunScheduledAsync(target.Name, slot, ct) is not null)
                {
                    ran++;
                }
            }
            catch (Exception ex) when (ex is Npgsql.NpgsqlException or TimeoutException or Rose.Core.Audit.AuditUnavailableException)
            {
                logger.LogWarning(ex, "Scheduled validation of {Database} failed", target.Name);
            }
        }

        return ran;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.ScheduleMinutes <= 0)
        {
            return;
        }

        // Poll once a minute at most: a slot missed while another instance was down is picked up promptly.
        var poll = TimeSpan.FromMinutes(Math.Min(1, options.Value.ScheduleMinutes));
        while (!stoppingToken.IsCancellationRequested)
        {
            await RunDueAsync(stoppingToken);
            try
            {
                await Task.Delay(poll, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}

using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Rose.Core.Approvals;

/// <summary>
/// Tells every console instance sharing the control database that an approval request changed,
/// through PostgreSQL LISTEN/NOTIFY, so pages update live without polling each other.
/// Raw Npgsql, not Dapper: listening holds a dedicated connection waiting for notifications, which is no query to map.
/// </summary>
public sealed class ApprovalNotifier(ControlDatabase control, ILogger<ApprovalNotifier> logger) : BackgroundService
{
    public const string Channel = "rose_approvals";

    /// <summary>Raised (on a background thread) with the id of a request that was created or changed, on any instance.</summary>
    public event Action<long>? Changed;

    /// <summary>True once this instance is listening.</summary>
    public bool Listening { get; private set; }

    public async Task PublishAsync(long approvalId, CancellationToken ct)
    {
        try
        {
            await using var cmd = control.DataSource.CreateCommand("SELECT pg_notify($1, $2)");
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Channel });
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = approvalId.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            await cmd.ExecuteNonQueryAsync(ct);
        }
        catch (NpgsqlException ex)
        {
            // A lost notification only delays a page refresh; the request itself is stored.
            logger.LogWarning(ex, "Could not publish a change of approval {ApprovalId}", approvalId);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var conn = await control.DataSource.OpenConnectionAsync(stoppingToken);
                conn.Notification += (_, e) =>
                {
                    if (long.TryParse(e.Payload, System.Globalization.CultureInfo.InvariantCulture, out var id))
                    {
                        Changed?.Invoke(id);
                    }
                };
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", conn))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                Listening = true;
                delay = TimeSpan.FromSeconds(1);
                while (!stoppingToken.IsCancellationRequested)
                {
                    await conn.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or System.IO.IOException or InvalidOperationException)
            {
                Listening = false;
                logger.LogWarning(ex, "Approval notifications interrupted; reconnecting in {Delay}", delay);
                await Task.Delay(delay, stoppingToken);
                delay = TimeSpan.FromSeconds(Math.Min(30, delay.TotalSeconds * 2));
            }
        }
    }
}

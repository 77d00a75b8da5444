using Npgsql;

namespace Rose.Core.Execution;

/// <summary>
/// A pooled target connection that goes back to the pool clean. Npgsql's own reset (DISCARD ALL when
/// NoResetOnClose is false) is only queued on close and sent in front of the NEXT caller's first
/// command, so until then an idle pooled connection keeps whatever the last caller left: session
/// advisory locks (the migration lock included), SET / set_config values, temporary tables, prepared
/// statements, WITH HOLD cursors, LISTEN registrations. Returning one of these runs DISCARD ALL right
/// away, on the server, before the connection is back in the pool. A connection that cannot be reset
/// is never handed out again: its pool is cleared, which closes it on return.
/// </summary>
internal sealed class CleanConnection : IAsyncDisposable
{
    /// <summary>How long the reset may take before the connection is given up instead.</summary>
    private static readonly TimeSpan ResetTimeout = TimeSpan.FromSeconds(10);

    private CleanConnection(NpgsqlConnection connection) => Connection = connection;

    public NpgsqlConnection Connection { get; }

    /// <summary>Set when DISCARD ALL already ran, successfully, as the last command on this connection (pipelined after a COMMIT).</summary>
    private bool reset;

    /// <summary>Only after DISCARD ALL succeeded and nothing was sent after it.</summary>
    public void MarkReset() => reset = true;

    public static async Task<CleanConnection> OpenAsync(NpgsqlDataSource source, CancellationToken ct) =>
        new(await source.OpenConnectionAsync(ct));

    /// <summary>Callers end their transactions first: DISCARD ALL cannot run inside one, and then the pool is cleared instead.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!reset && Connection.FullState == System.Data.ConnectionState.Open)
            {
                using var timeout = new CancellationTokenSource(ResetTimeout);
                await using var cmd = new NpgsqlCommand("DISCARD ALL", Connection);
                await cmd.ExecuteNonQueryAsync(timeout.Token);
            }

            // A broken connection is never returned to the pool by Npgsql; nothing to reset.
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or OperationCanceledException or TimeoutException)
        {
            NpgsqlConnection.ClearPool(Connection);
        }
        finally
        {
            await Connection.DisposeAsync();
        }
    }
}

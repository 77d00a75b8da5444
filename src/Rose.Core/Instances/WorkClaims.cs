using System.Security.Cryptography;
using Rose.Core.Control.Queries;

namespace Rose.Core.Instances;

/// <summary>
/// Once-only scheduled work across consoles that share a control database. Time is cut into slots of the
/// work's interval; every instance asks to claim the current slot and only the one whose row goes in does
/// the work (and audits or logs it). A claim survives the instance, so a crash mid-slot skips that slot
/// rather than doing it twice; the next slot is claimed afresh.
/// </summary>
public sealed class WorkClaims(ControlDatabase control, TimeProvider time)
{
    /// <summary>This process, as recorded in its claims: host, process id and a random suffix (ids are reused).</summary>
    public static string Instance { get; } =
        $"{Environment.MachineName}:{Environment.ProcessId}:{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";

    /// <summary>Claims older than this are deleted by the winner of a later slot of the same work.</summary>
    private static readonly TimeSpan Keep = TimeSpan.FromDays(2);

    /// <summary>The start of the slot holding <paramref name="now"/>.</summary>
    public static DateTimeOffset SlotOf(DateTimeOffset now, TimeSpan interval)
    {
        if (interval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(interval), interval, "A claim interval must be positive.");
        }

        var ticks = now.UtcTicks - (now.UtcTicks % interval.Ticks);
        return new DateTimeOffset(ticks, TimeSpan.Zero);
    }

    /// <summary>True when this instance won the current slot of <paramref name="work"/> and should do it.</summary>
    public async Task<bool> TryClaimAsync(string work, TimeSpan interval, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(work);
        var slot = SlotOf(time.GetUtcNow(), interval);
        var won = await control.ExecuteAsync(
            "INSERT INTO rose.work_claims (work, slot, instance) VALUES ($1, $2, $3) ON CONFLICT (work, slot) DO NOTHING",
            new(PgParam.Text(work), PgParam.TimestampTz(slot), PgParam.Text(Instance)), ct) == 1;
        if (won)
        {
            await control.ExecuteAsync("DELETE FROM rose.work_claims WHERE work = $1 AND slot < $2",
                new(PgParam.Text(work), PgParam.TimestampTz(slot - Keep)), ct);
        }

        return won;
    }

    /// <summary>Who claimed a slot, for tests and operators; null when nobody has.</summary>
    public Task<string?> ClaimantAsync(string work, DateTimeOffset slot, CancellationToken ct) =>
        control.QuerySingleOrDefaultAsync<string>("SELECT instance FROM rose.work_claims WHERE work = $1 AND slot = $2",
            new(PgParam.Text(work), PgParam.TimestampTz(slot)), ct);
}

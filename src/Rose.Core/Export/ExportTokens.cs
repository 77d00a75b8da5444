using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Rose.Core.Export;

/// <summary>
/// Short-lived, single-use tokens for CSV downloads. The page (already signed in over the circuit)
/// parks the statement here; the browser then fetches it with a plain GET, which lets the download
/// stream straight to disk instead of through the circuit.
/// </summary>
public sealed class ExportTokens(TimeProvider clock)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(2);
    private readonly ConcurrentDictionary<string, ExportTicket> tickets = new(StringComparer.Ordinal);

    public string Create(string userId, string database, string sql, string? reason, int? statement = null)
    {
        var now = clock.GetUtcNow();
        foreach (var (key, old) in tickets)
        {
            if (old.ExpiresAt <= now)
            {
                tickets.TryRemove(key, out _);
            }
        }

        var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        tickets[token] = new ExportTicket(userId, database, sql, reason, statement, now + Lifetime);
        return token;
    }

    /// <summary>The ticket, once, for the user who created it; null when unknown, expired or someone else's.</summary>
    public ExportTicket? Redeem(string token, string userId)
    {
        if (!tickets.TryGetValue(token, out var ticket) || ticket.UserId != userId)
        {
            return null;
        }

        tickets.TryRemove(token, out _);
        return ticket.ExpiresAt > clock.GetUtcNow() ? ticket : null;
    }
}

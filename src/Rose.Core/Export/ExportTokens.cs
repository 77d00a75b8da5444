using System.Security.Cryptography;

namespace Rose.Core.Export;

/// <summary>
/// Short-lived, single-use tokens for CSV downloads. The page (already signed in over the circuit)
/// parks the statement here; the browser then fetches it with a plain GET, which lets the download
/// stream straight to disk instead of through the circuit. Tickets live in the control database, so
/// the GET may reach any console; only the token's SHA-256 is stored.
/// </summary>
public sealed class ExportTokens(ExportTicketStore store, TimeProvider clock)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(2);

    public async Task<string> CreateAsync(string userId, string database, string sql, string? reason, int? statement = null, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        await store.AddAsync(Hash(token), new ExportTicket(userId, database, sql, reason, statement, now + Lifetime), now, ct);
        return token;
    }

    /// <summary>The ticket, once, for the user who created it; null when unknown, expired or someone else's.</summary>
    public async Task<ExportTicket?> RedeemAsync(string token, string userId, CancellationToken ct = default)
    {
        var ticket = await store.TakeAsync(Hash(token), userId, ct);
        return ticket is not null && ticket.ExpiresAt > clock.GetUtcNow() ? ticket : null;
    }

    /// <summary>Only the hash is stored: a read of the control database yields no usable download link.</summary>
    private static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}

using Rose.Core.Control.Queries;
using Rose.Core.Export;

namespace Rose.Core.Control;

/// <summary>What a CSV download will run, parked server-side so the SQL never travels in a URL.</summary>
/// <param name="Statement">Index in the batch of the statement whose rows to export; null for the first result set.</param>
public sealed record ExportTicket(string UserId, string Database, string Sql, string? Reason, int? Statement, DateTimeOffset ExpiresAt);

/// <summary>
/// rose.export_tickets: workbench downloads parked by one console and fetched from whichever console the
/// browser's GET reaches. Rows are keyed by a hash of the token; the caller hashes.
/// </summary>
public sealed class ExportTicketStore(ControlDatabase control)
{
    public async Task AddAsync(string tokenHash, ExportTicket ticket, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        // Expired tickets go with each new one: the table stays as small as the downloads in flight.
        await control.ExecuteAsync("DELETE FROM rose.export_tickets WHERE expires_at <= $1", new(PgParam.TimestampTz(now)), ct);
        await control.ExecuteAsync(
            "INSERT INTO rose.export_tickets (token_hash, user_id, database, sql, reason, statement, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            new(PgParam.Text(tokenHash), PgParam.Text(ticket.UserId), PgParam.Text(ticket.Database), PgParam.Text(ticket.Sql), PgParam.Text(ticket.Reason),
                PgParam.Int(ticket.Statement), PgParam.TimestampTz(ticket.ExpiresAt)), ct);
    }

    /// <summary>Deletes and returns the ticket of this user; the one delete that finds it spends it, on any console.</summary>
    public async Task<ExportTicket?> TakeAsync(string tokenHash, string userId, CancellationToken ct)
    {
        var row = await control.QuerySingleOrDefaultAsync<TicketRow>("""
            DELETE FROM rose.export_tickets WHERE token_hash = $1 AND user_id = $2
            RETURNING user_id AS "UserId", database AS "Database", sql AS "Sql", reason AS "Reason", statement AS "Statement", expires_at AS "ExpiresAt"
            """, new(PgParam.Text(tokenHash), PgParam.Text(userId)), ct);
        return row is null ? null : new ExportTicket(row.UserId, row.Database, row.Sql, row.Reason, row.Statement, row.ExpiresAt);
    }

    private sealed class TicketRow
    {
        public string UserId { get; set; } = string.Empty;
        public string Database { get; set; } = string.Empty;
        public string Sql { get; set; } = string.Empty;
        public string? Reason { get; set; }
        public int? Statement { get; set; }
        public DateTimeOffset ExpiresAt { get; set; }
    }
}

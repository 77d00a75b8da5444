namespace Rose.Core.Export;

/// <summary>What a CSV download will run, parked server-side so the SQL never travels in a URL.</summary>
/// <param name="Statement">Index in the batch of the statement whose rows to export; null for the first result set.</param>
public sealed record ExportTicket(string UserId, string Database, string Sql, string? Reason, int? Statement, DateTimeOffset ExpiresAt);

namespace Rose.Core.Audit;

/// <summary>
/// What a text search reads before its query (<see cref="AuditTextGramStats.ForTermAsync(ControlDatabase, string, CancellationToken)"/>):
/// the gram statistics for the term (null before the first refresh) and the newest id of the log.
/// </summary>
internal sealed record AuditTextSearchInputs(AuditTextGramStats? Stats, long MaxId);

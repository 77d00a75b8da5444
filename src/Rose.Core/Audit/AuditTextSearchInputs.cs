namespace Rose.Core.Audit;

/// <summary>
/// What a text search reads before its query (<see cref="AuditTextGramStats.ForTermAsync(ControlDatabase, string, CancellationToken)"/>):
/// the term as searched for, the gram statistics for it (null before the first refresh) and the newest id of the log.
/// </summary>
internal sealed record AuditTextSearchInputs(string Term, AuditTextGramStats? Stats, long MaxId)
{
    /// <summary>How to search for <see cref="Term"/> given the statistics: the one choice a page and an export share.</summary>
    public AuditTextSearchPlan Plan() => AuditTextSearchPlan.Choose(Term, Stats);
}

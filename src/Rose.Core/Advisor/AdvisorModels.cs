namespace Rose.Core.Advisor;

/// <summary>One normalized statement from pg_stat_statements.</summary>
public sealed record SlowQuery(string QueryId, string Query, long Calls, double TotalMs, double MeanMs, long Rows);

/// <summary>
/// The slow-query list of one target. When pg_stat_statements is not usable, Queries is empty and
/// Unavailable says why and how to enable it. Note says what the list cannot show (statements of other
/// roles, whose text PostgreSQL hides from this connection's role) and how to see it.
/// </summary>
public sealed record SlowQueryReport(string Database, IReadOnlyList<SlowQuery> Queries, string? Unavailable, string? Note = null);

/// <summary>
/// One proposed index. EstimatedSpeedup is the planner's cost before divided by its cost with the
/// index (hypopg); null when it could not be proven (no hypopg, or the statement could not be planned).
/// </summary>
public sealed record IndexRecommendation(
    string Schema,
    string Table,
    IReadOnlyList<string> Columns,
    string CreateIndexSql,
    double? EstimatedSpeedup,
    long? SizeBytes,
    IReadOnlyList<string> Queries,
    bool Proven,
    string WriteOverhead,
    string IndexName);

/// <summary>What the index advisor found; Notes carry what could not be analysed and why.</summary>
public sealed record IndexAdvice(string Database, bool HypopgAvailable, IReadOnlyList<IndexRecommendation> Recommendations, IReadOnlyList<string> Notes);

/// <summary>Status of one health check.</summary>
public static class HealthStatus
{
    public const string Ok = "ok";
    public const string Warning = "warning";
    public const string Critical = "critical";
    public const string Error = "error";
}

/// <summary>One health check: its threshold, what was seen, and the SQL that fixes it (null when nothing to fix).</summary>
public sealed record HealthCheck(string Name, string Status, string Threshold, string Detail, IReadOnlyList<string> Evidence, string? RemediationSql);

public sealed record HealthReport(string Database, IReadOnlyList<HealthCheck> Checks);

/// <summary>Bad advisor input (nothing was run); the message names what to fix.</summary>
public sealed class AdvisorRequestException(string message) : Exception(message);

using System.Text.RegularExpressions;

namespace Rose.Core.Advisor;

/// <summary>
/// What EXPLAIN (ANALYZE, BUFFERS) of one statement came to: the plan when it ran, the approval
/// request when the policy parked it, the reasons when the policy denied it, or the error.
/// </summary>
public sealed record AnalyzedPlan(OutcomeStatus Status, long AuditId, long? ApprovalId, string? PlanJson, IReadOnlyList<string> Reasons, string? Error);

/// <summary>
/// Plans of one statement: the planner's plan (EXPLAIN without ANALYZE under the advisor's plan-only
/// policy, so nothing runs), or the measured plan (EXPLAIN ANALYZE under the caller's own policy).
/// </summary>
public sealed partial class QueryPlanService(AdvisorReads reads, ISqlClassifier classifier, ExecutionService execution)
{
    /// <summary>(plan JSON, null) or (null, why not).</summary>
    public async Task<(string? PlanJson, string? Error)> ExplainAsync(Actor executor, Channel channel, string database, string query, CancellationToken ct)
    {
        if (OneStatement(query) is not { } statement)
        {
            return (null, OneStatementOnly);
        }

        var parameterized = Parameter().IsMatch(statement.Text);
        var version = await reads.ReadAsync(executor, database, "SELECT current_setting('server_version_num')::int AS v", "advisor: server version", ct);
        if (!version.Succeeded)
        {
            return (null, version.Error);
        }

        if (parameterized && AdvisorReads.Integer(AdvisorReads.Cell(version.Statements[0], 0, "v")) < 160000)
        {
            return (null, "This normalized statement has $n parameters; planning it needs EXPLAIN (GENERIC_PLAN), PostgreSQL 16 or later. Type it with values instead.");
        }

        var explain = parameterized ? "EXPLAIN (GENERIC_PLAN, FORMAT JSON) " : "EXPLAIN (FORMAT JSON) ";
        var outcome = await reads.PlanAsync(executor, channel, database, explain + statement.Text, "advisor: plan", ct);
        return outcome.Succeeded ? (outcome.Statements[0].Rows[0][0], null) : (null, outcome.Error);
    }

    /// <summary>
    /// Runs EXPLAIN (ANALYZE, BUFFERS) of one statement through the pipeline under <paramref name="policy"/>,
    /// the caller's own. The parser classifies EXPLAIN ANALYZE of a write as that write, because it
    /// performs it: the policy allows, parks or denies it exactly as it would the write itself.
    /// </summary>
    public async Task<AnalyzedPlan> ExplainAnalyzeAsync(Actor executor, Channel channel, string database, string query, SqlPolicy policy,
        string? reason, CancellationToken ct)
    {
        if (OneStatement(query) is not { } statement)
        {
            throw new AdvisorRequestException(OneStatementOnly);
        }

        if (statement.Node == "ExplainStmt")
        {
            throw new AdvisorRequestException("Give the statement itself, without EXPLAIN: Rose adds EXPLAIN (ANALYZE, BUFFERS).");
        }

        if (Parameter().IsMatch(statement.Text))
        {
            throw new AdvisorRequestException("This normalized statement has $n parameters and cannot be run; type it with values to measure it.");
        }

        var outcome = await execution.ExecuteAsync(new ExecutionRequest(executor, channel, database,
            "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + statement.Text,
            string.IsNullOrWhiteSpace(reason) ? "performance advisor: measure a statement's plan" : reason, policy, 1), null, ct);
        var plan = outcome.Status == OutcomeStatus.Succeeded && outcome.Result!.Statements is [{ Rows.Count: > 0 } result]
            ? string.Concat(result.Rows.Select(r => r[0]))
            : null;
        var error = outcome.Result?.Error is { } e ? $"{e.SqlState}: {e.Message}" : null;
        return new AnalyzedPlan(outcome.Status, outcome.AuditId, outcome.ApprovalId, plan, outcome.Reasons, error);
    }

    private const string OneStatementOnly = "Give exactly one statement that PostgreSQL can parse.";

    private SqlStatement? OneStatement(string? query) =>
        classifier.Classify(query ?? "").Statements is [{ IsParsed: true } statement] ? statement : null;

    [GeneratedRegex(@"\$\d+", RegexOptions.None, 1000)]
    internal static partial Regex Parameter();
}

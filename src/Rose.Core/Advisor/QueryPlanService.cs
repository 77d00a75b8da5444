using System.Text.RegularExpressions;
using Rose.Core.Identity;
using Rose.Core.Sql;

namespace Rose.Core.Advisor;

/// <summary>The planner's plan of one statement (EXPLAIN without ANALYZE, so nothing runs), as EXPLAIN's JSON.</summary>
public sealed partial class QueryPlanService(AdvisorReads reads, ISqlClassifier classifier)
{
    /// <summary>(plan JSON, null) or (null, why not).</summary>
    public async Task<(string? PlanJson, string? Error)> ExplainAsync(Actor executor, Channel channel, string database, string query, CancellationToken ct)
    {
        if (classifier.Classify(query ?? "").Statements is not [{ IsParsed: true } statement])
        {
            return (null, "Give exactly one statement that PostgreSQL can parse.");
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

    [GeneratedRegex(@"\$\d+", RegexOptions.None, 1000)]
    internal static partial Regex Parameter();
}

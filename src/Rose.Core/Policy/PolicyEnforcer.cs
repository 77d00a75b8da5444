namespace Rose.Core.Policy;

/// <summary>
/// The single place where a classified batch meets a policy. Deny by default: an operation the
/// policy does not name, a statement that did not parse, or a database outside the allow-list is
/// denied; approval beats allow; the target's environment can only tighten; the strictest
/// statement decides the batch.
/// </summary>
public sealed class PolicyEnforcer
{
    public PolicyDecision Evaluate(SqlPolicy policy, string database, TargetEnvironment? targetEnvironment, SqlBatch batch)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(batch);

        var operations = batch.Statements.SelectMany(s => s.Operations).Distinct(StringComparer.Ordinal).ToList();
        var batchReasons = new List<string>();

        if (!policy.AllowsDatabase(database))
        {
            batchReasons.Add($"database '{database}' is not in allowed_databases");
        }

        if (batch.Statements.Count == 0)
        {
            batchReasons.Add("the batch holds no statement");
        }

        var environment = Stricter(policy.Environment, targetEnvironment);
        var statements = batch.Statements.Select(s => EvaluateStatement(policy, environment, s)).ToList();

        var decision = batchReasons.Count > 0
            ? Decision.Deny
            : statements.Max(s => s.Decision);

        // Reasons a person reads first: batch-level ones, then those of the statements that set
        // the decision (an allowed statement beside a denied one is not why the batch failed).
        var reasons = new List<string>(batchReasons);
        reasons.AddRange(statements.Where(s => s.Decision == decision).SelectMany(s => s.Reasons));
        return new PolicyDecision(decision, reasons, statements) { Operations = operations };
    }

    private static StatementDecision EvaluateStatement(SqlPolicy policy, TargetEnvironment environment, SqlStatement statement)
    {
        var label = $"statement {statement.Index + 1} ({statement.Tag})";

        if (!statement.IsParsed || statement.Operations.Contains(SqlOperations.Unparseable))
        {
            var why = statement.Error is null ? "it could not be classified" : $"it does not parse: {statement.Error.Message}";
            return new(statement.Index, statement.Tag, Decision.Deny, [$"{label}: UNPARSEABLE is never allowed; {why}"]);
        }

        if (statement.Operations.Count == 0)
        {
            return new(statement.Index, statement.Tag, Decision.Deny, [$"{label}: no operation was recognised, so it is not allowed"]);
        }

        var denied = new List<string>();
        var approvals = new List<string>();
        foreach (var operation in statement.Operations)
        {
            var approvalEntry = OperationMatcher.FirstMatch(policy.RequiresApproval, operation);
            if (approvalEntry is not null)
            {
                approvals.Add($"{label}: {operation} requires approval (requires_approval: {approvalEntry})");
                continue;
            }

            if (OperationMatcher.FirstMatch(policy.AllowedOperations, operation) is null)
            {
                denied.Add($"{label}: {operation} is not in allowed_operations");
            }
        }

        // An operation the policy names nowhere is denied even beside one that needs approval:
        // an approver should never be the only thing between an agent and an unlisted operation.
        if (denied.Count > 0)
        {
            return new(statement.Index, statement.Tag, Decision.Deny, denied);
        }

        if (approvals.Count > 0)
        {
            return new(statement.Index, statement.Tag, Decision.Approval, approvals);
        }

        var tightened = EnvironmentRule(environment, statement, label);
        return tightened is null
            ? new(statement.Index, statement.Tag, Decision.Allow, [$"{label}: allowed ({string.Join(", ", statement.Operations)})"])
            : new(statement.Index, statement.Tag, Decision.Approval, [tightened]);
    }

    /// <summary>Staging and prod park unfiltered UPDATE/DELETE; prod also parks DDL the policy allows.</summary>
    private static string? EnvironmentRule(TargetEnvironment environment, SqlStatement statement, string label)
    {
        if (environment >= TargetEnvironment.Staging && statement.UnfilteredDml)
        {
            return $"{label}: UPDATE or DELETE without WHERE requires approval in {environment.Name()}";
        }

        if (environment >= TargetEnvironment.Prod && statement.Kind == StatementKind.Ddl)
        {
            return $"{label}: schema changes require approval in prod";
        }

        return null;
    }

    /// <summary>The stricter of the policy's environment and the target's; an unknown name counts as prod.</summary>
    private static TargetEnvironment Stricter(string policyEnvironment, TargetEnvironment? targetEnvironment)
    {
        TargetEnvironments.TryParse(policyEnvironment, out var fromPolicy);
        return targetEnvironment is { } fromTarget && fromTarget > fromPolicy ? fromTarget : fromPolicy;
    }
}

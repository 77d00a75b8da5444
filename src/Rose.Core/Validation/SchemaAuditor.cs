using Rose.Core.Identity;
using Rose.Core.Validation.Audit;

namespace Rose.Core.Validation;

/// <summary>
/// Runs every audit rule as one read batch (one audit row); when the batch fails, each rule on its
/// own so one rule the target cannot answer does not hide the others.
/// </summary>
internal static class SchemaAuditor
{
    public static async Task<(List<AuditFinding> Findings, List<string> Errors)> RunAsync(TargetReader reader, Executor executor, string database,
        IReadOnlyList<IAuditRule> rules, CancellationToken ct)
    {
        var findings = new List<AuditFinding>();
        var errors = new List<string>();
        var batch = await reader.ReadAsync(executor, database, string.Join(";\n", rules.Select(r => r.Sql)), "validation: schema audit", ct);
        if (batch.Succeeded && batch.Statements.Count == rules.Count)
        {
            for (var i = 0; i < rules.Count; i++)
            {
                findings.AddRange(batch.Statements[i].Rows.Select(r => new AuditFinding(rules[i].Name, rules[i].Severity, r[0] ?? "?", r[1] ?? string.Empty, r[2] ?? string.Empty)));
            }

            return (findings, errors);
        }

        foreach (var rule in rules)
        {
            var one = await reader.ReadAsync(executor, database, rule.Sql, $"validation: audit rule {rule.Name}", ct);
            if (one.Succeeded && one.Statements.Count == 1)
            {
                findings.AddRange(one.Statements[0].Rows.Select(r => new AuditFinding(rule.Name, rule.Severity, r[0] ?? "?", r[1] ?? string.Empty, r[2] ?? string.Empty)));
            }
            else
            {
                errors.Add($"{rule.Name}: {one.Error}");
            }
        }

        return (findings, errors);
    }
}

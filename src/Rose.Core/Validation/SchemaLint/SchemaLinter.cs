namespace Rose.Core.Validation.SchemaLint;

/// <summary>
/// Runs every schema lint rule as one read batch (one audit row); when the batch fails, each rule on its
/// own so one rule the target cannot answer does not hide the others.
/// </summary>
internal static class SchemaLinter
{
    public static async Task<(List<SchemaFinding> Findings, List<string> Errors)> RunAsync(TargetReader reader, Actor executor, string database,
        IReadOnlyList<ISchemaLintRule> rules, CancellationToken ct)
    {
        var findings = new List<SchemaFinding>();
        var errors = new List<string>();
        var batch = await reader.ReadAsync(executor, database, string.Join(";\n", rules.Select(r => r.Sql)), "validation: schema audit", ct);
        if (batch.Succeeded && batch.Statements.Count == rules.Count)
        {
            for (var i = 0; i < rules.Count; i++)
            {
                findings.AddRange(batch.Statements[i].Rows.Select(r => new SchemaFinding(rules[i].Name, rules[i].Severity, r[0] ?? "?", r[1] ?? string.Empty, r[2] ?? string.Empty)));
            }

            return (findings, errors);
        }

        foreach (var rule in rules)
        {
            var one = await reader.ReadAsync(executor, database, rule.Sql, $"validation: audit rule {rule.Name}", ct);
            if (one.Succeeded && one.Statements.Count == 1)
            {
                findings.AddRange(one.Statements[0].Rows.Select(r => new SchemaFinding(rule.Name, rule.Severity, r[0] ?? "?", r[1] ?? string.Empty, r[2] ?? string.Empty)));
            }
            else
            {
                errors.Add($"{rule.Name}: {one.Error}");
            }
        }

        return (findings, errors);
    }
}

namespace Rose.Core.Advisor;

/// <summary>Runs <see cref="HealthCheckDefinitions"/> (with the Rose:Advisor thresholds) on a target through the audited read path.</summary>
public sealed class HealthCheckService(AdvisorReads reads, IOptions<AdvisorOptions> options)
{
    private readonly IReadOnlyList<HealthCheckDefinition> definitions = HealthCheckDefinitions.For(options.Value);

    private static readonly string[] Order = [HealthStatus.Ok, HealthStatus.Warning, HealthStatus.Critical];

    public async Task<HealthReport> CheckAsync(Actor executor, string database, CancellationToken ct)
    {
        // One batch is one audited read; if any check fails (a permission, a missing view) the
        // batch fails as a whole, so the checks are then read one by one and only the broken one errs.
        var batch = await reads.ReadAsync(executor, database, string.Join(";\n", definitions.Select(d => d.Sql)), "advisor: health checks", ct);
        if (batch.Succeeded)
        {
            return new HealthReport(database, [.. definitions.Select((d, i) => Evaluate(d, batch.Statements[i]))]);
        }

        var checks = new List<HealthCheck>();
        foreach (var definition in definitions)
        {
            var one = await reads.ReadAsync(executor, database, definition.Sql, "advisor: health check " + definition.Name, ct);
            checks.Add(one.Succeeded
                ? Evaluate(definition, one.Statements[0])
                : new HealthCheck(definition.Name, HealthStatus.Error, definition.Threshold, "The check could not run: " + one.Error, [], null));
        }

        return new HealthReport(database, checks);
    }

    private static HealthCheck Evaluate(HealthCheckDefinition definition, StatementResult result)
    {
        var evidence = new List<string>();
        var remediation = new List<string>();
        var status = HealthStatus.Ok;
        var flagged = 0;
        for (var i = 0; i < result.Rows.Count; i++)
        {
            var severity = AdvisorReads.Cell(result, i, "severity") ?? HealthStatus.Warning;
            evidence.Add(AdvisorReads.Cell(result, i, "evidence") ?? "");
            flagged += severity == HealthStatus.Ok ? 0 : 1;
            if (AdvisorReads.Cell(result, i, "remediation") is { } fix)
            {
                remediation.Add(fix);
            }

            if (Array.IndexOf(Order, severity) > Array.IndexOf(Order, status))
            {
                status = severity;
            }
        }

        var detail = status == HealthStatus.Ok
            ? definition.OkDetail + (evidence.Count > 0 ? " " + evidence[0] + "." : "")
            : $"{flagged} finding(s) over the threshold ({definition.Threshold}): " + string.Join("; ", evidence.Take(5));
        return new HealthCheck(definition.Name, status, definition.Threshold, detail, evidence,
            remediation.Count == 0 ? null : string.Join("\n", remediation));
    }
}

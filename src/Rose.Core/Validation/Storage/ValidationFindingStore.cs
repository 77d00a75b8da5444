using NpgsqlTypes;
using Rose.Core.Control.Queries;

namespace Rose.Core.Validation.Storage;

/// <summary>Table rose.validation_findings: what the schema audit found in a run.</summary>
public sealed class ValidationFindingStore(ControlDatabase control)
{
    public async Task AddAsync(long runId, IReadOnlyList<SchemaFinding> findings, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(findings);
        if (findings.Count == 0)
        {
            return;
        }

        await control.ExecuteAsync("""
            INSERT INTO rose.validation_findings (run_id, rule, severity, object_name, detail, remediation)
            SELECT $1, u.* FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS u
            """, new(PgParam.Long(runId),
            PgParam.Array(findings.Select(f => f.Rule).ToArray(), NpgsqlDbType.Text),
            PgParam.Array(findings.Select(f => f.Severity).ToArray(), NpgsqlDbType.Text),
            PgParam.Array(findings.Select(f => f.Object).ToArray(), NpgsqlDbType.Text),
            PgParam.Array(findings.Select(f => f.Detail).ToArray(), NpgsqlDbType.Text),
            PgParam.Array(findings.Select(f => f.Remediation).ToArray(), NpgsqlDbType.Text)), ct);
    }

    /// <summary>Errors first, then by rule and object; id breaks ties.</summary>
    public Task<IReadOnlyList<SchemaFinding>> ForRunAsync(long runId, CancellationToken ct) => control.QueryAsync<SchemaFinding>("""
        SELECT rule AS "Rule", severity AS "Severity", object_name AS "Object", detail AS "Detail", remediation AS "Remediation"
        FROM rose.validation_findings
        WHERE run_id = $1
        ORDER BY CASE severity WHEN 'error' THEN 0 WHEN 'warn' THEN 1 ELSE 2 END, rule, object_name, id
        """, new(PgParam.Long(runId)), ct);
}

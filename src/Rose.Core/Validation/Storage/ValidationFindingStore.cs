using NpgsqlTypes;
using Rose.Core.Storage;

namespace Rose.Core.Validation.Storage;

/// <summary>Table rose.validation_findings: what the schema audit found in a run.</summary>
public sealed class ValidationFindingStore(ControlDatabase control)
{
    public async Task AddAsync(long runId, IReadOnlyList<AuditFinding> findings, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(findings);
        if (findings.Count == 0)
        {
            return;
        }

        await using var cmd = control.DataSource.CreateCommand("""
            INSERT INTO rose.validation_findings (run_id, rule, severity, object_name, detail, remediation)
            SELECT $1, u.* FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS u
            """);
        cmd.Parameters.Add(StoreParams.Long(runId));
        cmd.Parameters.Add(StoreParams.Array(findings.Select(f => f.Rule).ToArray(), NpgsqlDbType.Text));
        cmd.Parameters.Add(StoreParams.Array(findings.Select(f => f.Severity).ToArray(), NpgsqlDbType.Text));
        cmd.Parameters.Add(StoreParams.Array(findings.Select(f => f.Object).ToArray(), NpgsqlDbType.Text));
        cmd.Parameters.Add(StoreParams.Array(findings.Select(f => f.Detail).ToArray(), NpgsqlDbType.Text));
        cmd.Parameters.Add(StoreParams.Array(findings.Select(f => f.Remediation).ToArray(), NpgsqlDbType.Text));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Errors first, then by rule and object; id breaks ties.</summary>
    public async Task<IReadOnlyList<AuditFinding>> ForRunAsync(long runId, CancellationToken ct)
    {
        await using var cmd = control.DataSource.CreateCommand("""
            SELECT rule, severity, object_name, detail, remediation FROM rose.validation_findings
            WHERE run_id = $1
            ORDER BY CASE severity WHEN 'error' THEN 0 WHEN 'warn' THEN 1 ELSE 2 END, rule, object_name, id
            """);
        cmd.Parameters.Add(StoreParams.Long(runId));
        var list = new List<AuditFinding>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(new AuditFinding(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4)));
        }

        return list;
    }
}

namespace Rose.Core.Migrations;

/// <summary>Migrations holding characters PostgreSQL refuses: nothing is locked, planned or run, and the attempt is audited.</summary>
public sealed partial class MigrationRunner
{
    /// <summary>Throws <see cref="MigrationException"/> naming the first refused character, after auditing the attempt (stored escaped).</summary>
    private async Task RefuseBadCharactersAsync(MigrationRunRequest request, CancellationToken ct)
    {
        var problem = RefusedCharacters.Describe("database", request.Database)
            ?? RefusedCharacters.Describe("reason", request.Reason)
            ?? request.Set.Scripts.Select(s => RefusedCharacters.Describe($"migration {s.FileName}", s.Sql)).FirstOrDefault(p => p is not null);
        if (problem is null)
        {
            return;
        }

        var sql = string.Join("\n", request.Set.Scripts.Select(s => $"-- migration {s.FileName}\n{s.Sql}"));
        var auditId = await execution.RecordRefusedInputAsync(request.Executor, Channel.Migration, request.Database, request.Reason, sql, problem, ct);
        throw new MigrationException($"{problem} Nothing was applied; the attempt is audit #{auditId}.");
    }
}

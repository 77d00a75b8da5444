using Rose.Core.Audit;
using Rose.Core.Identity;
using Rose.Core.Policy;

namespace Rose.Console.Tests.Audit;

/// <summary>Writes audit rows through the real AuditLog (so the chain is real) with chosen fields.</summary>
internal static class AuditSeed
{
    public static async Task<long> AddAsync(IServiceProvider services, string sql, string? reason = "seed", string database = "demo",
        string executor = "alice", ActorKind kind = ActorKind.Human, Channel channel = Channel.Api,
        string[]? operations = null, Decision decision = Decision.Allow, string? status = AuditStatus.Succeeded,
        string[]? reasons = null, string? error = null)
    {
        var audit = services.GetRequiredService<AuditLog>();
        var id = await audit.RecordAttemptAsync(new AuditAttempt(new Actor(executor, executor.ToUpperInvariant(), kind, "test"), channel, database,
            reason, sql, operations ?? ["SELECT"], decision, reasons ?? []), CancellationToken.None);
        if (status is not null)
        {
            await audit.RecordOutcomeAsync(id, new AuditOutcome(status, RowsAffected: 3, DurationMs: 1.25,
                ErrorSqlState: error is null ? null : "42P01", ErrorMessage: error), CancellationToken.None);
        }

        return id;
    }
}

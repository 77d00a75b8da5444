using Npgsql;
using Rose.Core.Audit;
using Rose.Core.Identity;
using Rose.Core.Policy;
using Rose.Core.Targets;

// Deliberately bad types: each breaks one architecture rule, and ArchitectureTests shows that the rule
// function reports it. None of them is ever called.
namespace Rose.Core.Tests.Architecture.Fixtures
{
    /// <summary>Breaks rule 1: opens its own connection (inside an async method, so the check must read the state machine).</summary>
    internal static class OpensTargetConnection
    {
        public static async Task<int> CountAsync(string connectionString)
        {
            await using var conn = new NpgsqlConnection(connectionString);
            await conn.OpenAsync();
            return conn.ProcessID;
        }
    }

    /// <summary>Breaks rule 1: takes a registered target's pool (inside a lambda) instead of going through the executor.</summary>
    internal static class TakesTargetPool
    {
        public static Func<RegisteredTarget, NpgsqlDataSource> Pool => target => target.ReadWrite;
    }

    /// <summary>Breaks rule 2: a public type with the executor's name.</summary>
    public sealed class SqlExecutor;

    /// <summary>Breaks rule 4: a host-side type that filters on the driver's exception (inside an async method).</summary>
    internal static class CatchesDriverException
    {
        public static async Task<string?> ReadAsync(Func<Task<string>> read)
        {
            try
            {
                return await read();
            }
            catch (Exception ex) when (ex is PostgresException)
            {
                return null;
            }
        }
    }

    /// <summary>Breaks rule 3: writes an audit attempt itself, outside Execution and Audit.</summary>
    internal static class WritesAuditAttempt
    {
        public static Task<long> WriteAsync(AuditLog audit) => audit.RecordAttemptAsync(new AuditAttempt(Actor.System("fixture"), Channel.Api, "t", null,
            "SELECT 1", ["SELECT"], Decision.Allow, []), CancellationToken.None);
    }
}

namespace Rose.Core.Tests.Architecture.Fixtures.Execution
{
    /// <summary>Breaks rule 2: a public type of (the fixtures') Execution that carries a connection.</summary>
    public sealed class HoldsConnection(NpgsqlConnection connection)
    {
        public int Pid => connection.ProcessID;
    }

    /// <summary>Breaks the layering: the fixtures' Execution calls up into Approvals.</summary>
    internal static class CallsUpIntoApprovals
    {
        public static string Lock(string tag) => Rose.Core.Approvals.LockLevels.For(tag, concurrently: false);
    }

    /// <summary>Breaks rule 3 inside Execution: a part of the pipeline that closes an attempt itself instead of through the primitive.</summary>
    internal static class WritesItsOwnBracket
    {
        public static Task CloseAsync(AuditLog audit, long auditId) =>
            audit.RecordOutcomeAsync(auditId, new AuditOutcome(AuditStatus.Succeeded), CancellationToken.None);
    }

    /// <summary>Not a violation of rule 1: inside Execution, opening a connection is allowed.</summary>
    internal static class OpensInsideExecution
    {
        public static NpgsqlConnection Open(string connectionString) => new(connectionString);
    }
}

using System.Diagnostics;
using System.Reflection;
using Npgsql;

namespace Rose.Core.Execution;

internal sealed partial class SqlExecutor
{
    /// <summary>
    /// A plain read on the preset read pool (sessions that start READ ONLY under the target's timeouts,
    /// <see cref="TargetPools"/>) in one round trip instead of two: BEGIN (Npgsql puts it in front), the
    /// statement, COMMIT and DISCARD ALL go out as one batch, each its own extended-protocol command, with a
    /// Sync after the statement and after the COMMIT (DISCARD ALL cannot run inside a transaction block). A
    /// failing statement fails the run with its own error, as on the two-trip path; the lease still resets
    /// the connection before it goes back to the pool. The audit attempt is written before the batch is sent (the executor's hook runs first).
    /// Rose reads every value in PostgreSQL's text form; Npgsql 10 exposes that switch on NpgsqlCommand but
    /// keeps it internal on NpgsqlBatch, so it is set by reflection here. If a later Npgsql drops it,
    /// <see cref="Available"/> is false and reads take the two-trip path: slower, never different.
    /// </summary>
    private static class OneTripRead
    {
        private static readonly PropertyInfo? TextResults = typeof(NpgsqlBatch).GetProperty("AllResultTypesAreUnknown",
            BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic);

        /// <summary>Whether this Npgsql lets a batch ask for text results (checked once; a test pins it for the version Rose ships).</summary>
        public static bool Available { get; } = TextResults is { PropertyType: var type, SetMethod: not null } && type == typeof(bool);

        /// <returns>True when the pool reset ran and succeeded.</returns>
        public static async Task<bool> RunAsync(NpgsqlConnection conn, NpgsqlTransaction tx, SqlStatement statement, StatementResult statementResult,
            ExecutionLimits limits, IRowSink? sink, Pipeline pipeline, CancellationToken ct)
        {
            var watch = Stopwatch.StartNew();
            await using var batch = new NpgsqlBatch(conn, tx) { Timeout = ClientTimeoutSeconds(limits) };
            TextResults!.SetValue(batch, true);
            pipeline.CommitCommand = new NpgsqlBatchCommand("COMMIT") { AppendErrorBarrier = true };
            var reset = new NpgsqlBatchCommand("DISCARD ALL");
            // A Sync after the statement too: when it fails, the COMMIT that follows only ends the aborted
            // transaction (it rolls back) and the reset still runs, instead of failing in the aborted block.
            batch.BatchCommands.Add(new NpgsqlBatchCommand(statement.Text) { AppendErrorBarrier = true });
            batch.BatchCommands.Add(pipeline.CommitCommand);
            batch.BatchCommands.Add(reset);
            await using var reader = await batch.ExecuteReaderAsync(ct);
            await ReadResultAsync(reader, statement, statementResult, limits, sink, ct);
            var resetRan = true;
            try
            {
                // Reads the COMMIT's and the reset's answers; a failed COMMIT throws (the caller fails the run).
                await reader.CloseAsync();
            }
            catch (PostgresException ex) when (ReferenceEquals(ex.BatchCommand, reset))
            {
                resetRan = false;
            }

            Finish(reader, statementResult, watch);
            return resetRan;
        }
    }

    /// <summary>Test hook: whether plain reads take one round trip with the Npgsql Rose is built against.</summary>
    internal static bool OneTripReadsAvailable => OneTripRead.Available;
}

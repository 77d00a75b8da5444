using Npgsql;

namespace Rose.Core.Execution;

/// <summary>Rose's own reads and dry runs on a target: still only through the executor's connections.</summary>
internal sealed partial class SqlExecutor
{
    /// <summary>
    /// Runs one statement inside a transaction that is always rolled back, under the target's
    /// timeouts, and returns the rows it would affect. Used for approval risk previews.
    /// </summary>
    public async Task<(long? RowsAffected, SqlError? Error)> DryRunAsync(RegisteredTarget target, SqlStatement statement, ExecutionLimits limits, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(statement);
        if (!statement.IsParsed || statement.NoTransaction || statement.TransactionControl)
        {
            return (null, new SqlError("0A000", "This statement cannot be tried inside a rolled-back transaction."));
        }

        if (guard.Check(statement) is { } refused)
        {
            return (null, refused);
        }

        await using var lease = await CleanConnection.OpenAsync(target.ReadWrite, ct);
        var conn = lease.Connection;
        await using var tx = await conn.BeginTransactionAsync(ct);
        try
        {
            await SetSessionLimitsAsync(conn, tx, limits, ct);
            await using var cmd = new NpgsqlCommand(statement.Text, conn, tx) { AllResultTypesAreUnknown = true };
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                // Drain RETURNING rows; only the count matters.
            }

            await reader.CloseAsync();
            return (reader.RecordsAffected >= 0 ? reader.RecordsAffected : null, null);
        }
        catch (PostgresException ex)
        {
            return (null, ToError(ex, statement));
        }
        finally
        {
            await tx.RollbackAsync(CancellationToken.None);
        }
    }

    /// <summary>
    /// A read of Rose's own (catalog) SQL with positional parameters, in a READ ONLY transaction.
    /// Internal: code outside Rose.Core (the console, the CLI) has no way to send SQL text that the
    /// classifier did not produce.
    /// </summary>
    internal async Task<List<object?[]>> ReadCatalogAsync(RegisteredTarget target, string sql, IReadOnlyList<object?> parameters, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(parameters);
        await using var lease = await CleanConnection.OpenAsync(target.ReadOnly ?? target.ReadWrite, ct);
        var conn = lease.Connection;
        await using var tx = await conn.BeginTransactionAsync(ct);
        await SetSessionLimitsAsync(conn, tx, new ExecutionLimits(0, target.Definition.StatementTimeout, target.Definition.LockTimeout), ct, readOnly: true);
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        var rows = await CommandRows.ReadAllAsync(cmd, parameters, ct);

        await tx.CommitAsync(ct);
        return rows;
    }

    /// <summary>
    /// One statement of Rose's own upkeep on a target (dropping an expired prior backup), in its own
    /// transaction under the target's timeouts. Internal, like <see cref="ReadCatalogAsync"/>.
    /// </summary>
    internal async Task ExecuteUpkeepAsync(RegisteredTarget target, string sql, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(target);
        await using var lease = await CleanConnection.OpenAsync(target.ReadWrite, ct);
        var conn = lease.Connection;
        await using var tx = await conn.BeginTransactionAsync(ct);
        await SetSessionLimitsAsync(conn, tx, new ExecutionLimits(0, target.Definition.StatementTimeout, target.Definition.LockTimeout), ct);
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        await cmd.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
    }
}

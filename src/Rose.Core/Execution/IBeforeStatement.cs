using Npgsql;

namespace Rose.Core.Execution;

/// <summary>
/// Work Rose does in a statement's own transaction right before the statement runs (the prior
/// backup of the rows it changes). Throwing stops the batch: its transaction is rolled back.
/// </summary>
public interface IBeforeStatement
{
    Task BeforeAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, SqlStatement statement, CancellationToken ct);
}

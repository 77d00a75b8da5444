namespace Rose.Core.Execution;

/// <summary>A result column: its name and PostgreSQL type name (e.g. "integer", "timestamp with time zone").</summary>
public sealed record ResultColumn(string Name, string Type);

/// <summary>The server's error fields, kept whole for the caller.</summary>
/// <param name="Position">Offset into the whole batch text (UTF-16 chars, 0-based) when the server gave one.</param>
public sealed record SqlError(
    string SqlState,
    string Message,
    string? Detail = null,
    string? Hint = null,
    int? Position = null,
    int? StatementIndex = null,
    string? Severity = null,
    string? Where = null,
    string? Schema = null,
    string? Table = null,
    string? Column = null,
    string? Constraint = null);

/// <summary>A notice (or warning) the server sent while a statement ran.</summary>
public sealed record SqlNotice(string Severity, string SqlState, string Message, string? Detail, string? Hint);

/// <summary>What one statement did. Values are PostgreSQL's own text form; null is SQL NULL.</summary>
public sealed class StatementResult
{
    public int Index { get; init; }
    public required string Tag { get; init; }
    public IReadOnlyList<ResultColumn> Columns { get; set; } = [];
    public List<string?[]> Rows { get; } = [];
    public long? RowsAffected { get; set; }
    public long RowCount { get; set; }
    public bool Truncated { get; set; }
    public double DurationMs { get; set; }
    public List<SqlNotice> Notices { get; } = [];

    /// <summary>True when it ran outside a transaction (PostgreSQL refuses it inside one).</summary>
    public bool RanAlone { get; set; }
}

public enum ExecutionStatus
{
    Succeeded,
    Failed,
    Cancelled,
}

/// <summary>What a batch did on the target.</summary>
public sealed class ExecutionResult
{
    public ExecutionStatus Status { get; set; }
    public List<StatementResult> Statements { get; } = [];
    public SqlError? Error { get; set; }

    /// <summary>False when the batch had to run in pieces, so a failure may leave earlier pieces committed.</summary>
    public bool AllOrNothing { get; set; } = true;

    public bool ReadOnly { get; set; }

    /// <summary>
    /// The connection was lost (or the wait given up) after the COMMIT was sent: the transaction may
    /// have committed or not, and only the target knows. The attempt's outcome is then left to
    /// AuditRecovery, which reads the transaction's fate with pg_xact_status; nobody records a guess.
    /// </summary>
    public bool OutcomeUnknown { get; set; }

    public List<string> Notes { get; } = [];
    public double DurationMs { get; set; }

    public long TotalRowsAffected => Statements.Sum(s => s.RowsAffected ?? 0);
}

/// <summary>Receives rows as they stream off the server (CSV export), instead of buffering them.</summary>
public interface IRowSink
{
    ValueTask BeginResultAsync(int statementIndex, IReadOnlyList<ResultColumn> columns, CancellationToken ct);

    ValueTask WriteRowAsync(int statementIndex, string?[] values, CancellationToken ct);
}

/// <summary>Limits of one execution.</summary>
public sealed record ExecutionLimits(int MaxRows, TimeSpan StatementTimeout, TimeSpan LockTimeout);

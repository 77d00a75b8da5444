namespace Rose.Core.Undo;

/// <summary>The change cannot be rolled back automatically (no backup, no primary key, MERGE...): the message says why.</summary>
public sealed class RollbackRefusedException(string message) : Exception(message);

/// <summary>The audit entry does not exist.</summary>
public sealed class RollbackNotFoundException(string message) : Exception(message);

/// <summary>The rows changed since the change being rolled back: restoring them would undo someone else's work.</summary>
public sealed class RollbackConflictException(string message, IReadOnlyList<string> rows) : Exception(message)
{
    /// <summary>The rows in question, by primary key (e.g. "public.orders id=42"), at most a few dozen.</summary>
    public IReadOnlyList<string> Rows { get; } = rows;
}

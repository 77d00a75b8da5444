namespace Rose.Core.Undo;

/// <summary>The prior backup a statement was promised could not be taken: the statement did not run.</summary>
public class PriorBackupException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Rose will not take this backup (over Rose:PriorBackup:MaxRows or MaxBytes, or rows it cannot
/// predict): the statement did not run, and parks for approval or is denied (Rose:PriorBackup:Fallback).
/// </summary>
public sealed class PriorBackupRefusedException(string message) : PriorBackupException(message);

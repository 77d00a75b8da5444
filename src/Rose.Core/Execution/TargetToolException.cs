namespace Rose.Core.Execution;

/// <summary>
/// What a run needed beside its SQL could not be had: a client program (pg_dump, pg_restore) failed or
/// could not start, or a scratch database could not be created. The message says what to fix; the
/// migration layer passes it on as its own error.
/// </summary>
internal sealed class TargetToolException(string message) : Exception(message);

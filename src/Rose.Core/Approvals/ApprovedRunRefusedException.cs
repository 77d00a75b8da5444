namespace Rose.Core.Approvals;

/// <summary>
/// An approved request could not be run because what must surround it (a lock, a snapshot) could not
/// be had. Nothing was executed; the approval ends failed with this message.
/// </summary>
public sealed class ApprovedRunRefusedException(string message, Exception? inner = null) : Exception(message, inner);

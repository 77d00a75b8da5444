namespace Rose.Core.Migrations.Reversibility;

/// <summary>An ask to check that migrations can be undone and redone.</summary>
/// <param name="FromEmpty">Check every versioned migration from an empty database, instead of the pending ones on a copy of the target's schema.</param>
public sealed record ReversibilityRequest(
    string Database,
    MigrationSet Set,
    Actor Executor,
    SqlPolicy Policy,
    string? Reason,
    bool FromEmpty = false);

public enum ReversibilityVerdict
{
    /// <summary>Undo restored the schema before it, and up again rebuilt the same schema.</summary>
    Reversible,

    /// <summary>All three steps ran, but a schema comparison found differences.</summary>
    NotReversible,

    /// <summary>The version has no U file, so it cannot be undone at all.</summary>
    NoUndo,

    /// <summary>A step failed on the server; the check stopped here.</summary>
    Failed,

    /// <summary>The check would not run it on the scratch database (policy, or it reaches beyond the database).</summary>
    Refused,
}

/// <summary>What the check found for one version.</summary>
/// <param name="UndoDifferences">How the schema after undo differs from the schema before up.</param>
/// <param name="RedoDifferences">How the schema after up-again differs from the schema after the first up.</param>
public sealed record ReversibilityStep(
    string Version,
    string UpFile,
    string? UndoFile,
    ReversibilityVerdict Verdict,
    string Message,
    IReadOnlyList<SchemaDifference> UndoDifferences,
    IReadOnlyList<SchemaDifference> RedoDifferences,
    SqlError? Error = null);

/// <summary>The check's answer. <see cref="Ok"/> when every checked version is reversible (or nothing was pending).</summary>
public sealed record ReversibilityReport(
    string Database,
    bool FromEmpty,
    IReadOnlyList<ReversibilityStep> Steps,
    IReadOnlyList<string> Notes,
    long? AuditId)
{
    public bool Ok => Steps.All(s => s.Verdict == ReversibilityVerdict.Reversible);
}

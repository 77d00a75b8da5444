namespace Rose.Core.Control;

/// <summary>
/// The only exceptions to "an applied control-schema script never changes": per version, the exact
/// checksums of earlier texts of that script that an existing install may have recorded and that still
/// count as current. Each entry says what changed and why a database that ran the old text ends in the
/// same schema as one that runs today's. Any other checksum is drift and is refused, as before.
/// Both the startup check (MigrateAsync) and the readiness check (IsCurrentAsync) read this one list.
/// </summary>
internal static class SupersededChecksums
{
    private static readonly IReadOnlyDictionary<int, IReadOnlySet<string>> ByVersion = new Dictionary<int, IReadOnlySet<string>>
    {
        // V020__audit_browse_indexes as shipped until 2026-12: it also built two per-column trigram
        // indexes (audit_log_sql_trgm_idx, audit_log_reason_trgm_idx). V252, which every install runs
        // after V020, drops both and creates the one audit_log_text_trgm_idx, so an install that ran the
        // old text ends with the same indexes as a fresh one, which no longer builds two GIN indexes
        // only to drop them. Nothing else in V020 changed but its comments.
        [20] = new HashSet<string>(StringComparer.Ordinal) { "9b0af0fa924bed46a0dfde401f7f67565dfc473fc2adf13c4e3adae4bad985c9" },
    };

    /// <summary>True when <paramref name="appliedChecksum"/> is this build's checksum of the script or a superseded one listed for its version.</summary>
    public static bool Accepts(SchemaScript script, string appliedChecksum) =>
        string.Equals(script.Checksum, appliedChecksum, StringComparison.Ordinal)
        || (ByVersion.TryGetValue(script.Version, out var prior) && prior.Contains(appliedChecksum));
}

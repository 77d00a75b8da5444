using Rose.Core.Migrations;
using Rose.Core.Migrations.Reversibility;
using Rose.Core.Undo;

namespace Rose.Core.Validation;

/// <summary>
/// Drift as validation findings (rule schema_drift): for a target with a migrations folder and at least
/// one applied migration, every object added, removed or changed outside the migrations since the
/// baseline is one finding. A target without migrations has nothing to drift from and gets none.
/// </summary>
internal static class DriftFindings
{
    public const string Rule = "schema_drift";

    public static async Task<(List<SchemaFinding> Findings, string? Error)> RunAsync(SchemaDrift drift, string database, Actor executor, CancellationToken ct)
    {
        try
        {
            var report = await drift.CheckForValidationAsync(database, executor, ct);
            return report is null ? ([], null) : ([.. report.Differences.Select(Finding)], null);
        }
        catch (Exception ex) when (ex is MigrationException or Execution.TargetToolException or Errors.DatabaseException)
        {
            // Drift that cannot be checked (no CREATEDB, no pg_dump, a migration that no longer replays) is an error of the run, not a finding.
            return ([], $"{Rule}: {ex.Message}");
        }
    }

    private static SchemaFinding Finding(SchemaDifference d) => d.Change switch
    {
        SchemaChange.Unexpected => new(Rule, "warn", $"{d.Kind} {d.Name}", $"added outside the migrations: {d.Actual}",
            "Write a migration that creates it (so every environment gets it), or drop it."),
        SchemaChange.Missing => new(Rule, "warn", $"{d.Kind} {d.Name}", $"built by the applied migrations but gone from the target (was: {d.Expected})",
            "Re-create it with a migration, or write one that removes it on purpose."),
        _ => new(Rule, "warn", $"{d.Kind} {d.Name}", $"changed outside the migrations: the migrations build {d.Expected}; the target has {d.Actual}",
            "Write a migration that makes the change, or revert it on the target."),
    };
}

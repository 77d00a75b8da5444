namespace Rose.Console.Api;

/// <summary>Core migration results to the API's JSON shapes.</summary>
internal static class MigrationDtos
{
    public static MigrationStatusResponse Status(MigrationStatusReport s) => new(
        s.Database, s.CurrentVersion, s.Problems.Count == 0,
        [.. s.Entries.Select(e => new MigrationStatusEntryDto(e.Type.ToString().ToLowerInvariant(), e.Version, e.Description, e.FileName,
            StateName(e.State), e.InstalledOn, e.InstalledBy, e.ExecutionMs, e.HasUndo))],
        s.Problems);

    public static string StateName(MigrationState state) => state switch
    {
        MigrationState.OutOfOrder => "out_of_order",
        _ => state.ToString().ToLowerInvariant(),
    };

    public static MigrationPlanResponse Plan(MigrationPlan p) => new(
        p.Database, p.Decision.Name(), p.Blockers,
        [.. p.Migrations.Select(m => new PlannedMigrationDto(m.Script.FileName, m.Script.Version?.Text, m.Script.Description, m.AllOrNothing,
            m.Decision.Name(), m.Reasons,
            [.. m.Statements.Select(s => new PlannedStatementDto(s.Index, s.Tag, s.Kind.ToString().ToLowerInvariant(), s.Operations, s.Objects,
                s.Destructive, s.NoTransaction, s.Decision.Name(), s.Reasons, s.Text))],
            [.. m.Findings.Select(f => new LintFindingDto(f.Rule, f.Severity.ToString().ToLowerInvariant(), f.StatementIndex, f.Message, f.Hint,
                f.Lock, (f.Impact ?? Rose.Core.Migrations.Lint.TableImpact.None).ToString().ToLowerInvariant(), f.Table, f.TableRows, f.Line))]))]);

    public static (MigrateResponse Body, int Code) Run(MigrationRunResult r)
    {
        var (status, code) = r.Status switch
        {
            MigrationRunStatus.Succeeded => ("succeeded", StatusCodes.Status200OK),
            MigrationRunStatus.PendingApproval => ("pending_approval", StatusCodes.Status202Accepted),
            MigrationRunStatus.Denied => ("denied", StatusCodes.Status403Forbidden),
            _ => ("failed", StatusCodes.Status422UnprocessableEntity),
        };
        return (new MigrateResponse
        {
            Status = status,
            Database = r.Database,
            DryRun = r.DryRun,
            AuditId = r.AuditId,
            ApprovalId = r.ApprovalId,
            Applied = [.. r.Applied.Select(a => new AppliedMigrationDto(a.FileName, a.Version, a.Description, a.Succeeded, a.AllOrNothing,
                Math.Round(a.DurationMs, 3), a.AuditId, a.PreCounts, a.PostCounts, a.DevlogId, Error(a.Result.Error)))],
            Reasons = r.Reasons,
            Error = Error(r.SqlError),
            Message = r.Error,
            Notes = r.Notes,
            Snapshot = r.SnapshotPath is null ? null : Path.GetFileName(r.SnapshotPath),
        }, code);
    }

    internal static ErrorDto? Error(SqlError? e) =>
        e is null ? null : new ErrorDto(e.SqlState, e.Message, e.Detail, e.Hint, e.Position, e.StatementIndex);

    public static IReadOnlyList<(string Name, string Sql)>? Files(IReadOnlyList<MigrationFileDto>? files) =>
        files?.Select(f => (f.FileName, f.Sql ?? string.Empty)).ToList();
}

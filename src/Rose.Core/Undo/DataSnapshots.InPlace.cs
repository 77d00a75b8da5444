using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;
using Rose.Core.Approvals;
using Rose.Core.Audit;
using Rose.Core.Execution;
using Rose.Core.Identity;
using Rose.Core.Policy;
using Rose.Core.Targets;

namespace Rose.Core.Undo;

/// <summary>A restore in place parked for approval: the request to decide, and its audit row.</summary>
public sealed record InPlaceRestoreRequest(string Database, string Snapshot, long ApprovalId, long AuditId);

/// <summary>
/// Restoring a snapshot over the LIVE database. It never runs on request: the request parks an approval
/// naming the snapshot and the database, and only an approver's decision runs it (through
/// <see cref="ApprovedSnapshotRestore"/>), as an audited run: pg_restore --clean --if-exists
/// --single-transaction (all of it or none of it), then the snapshot's tables are checksummed again.
/// </summary>
public sealed partial class DataSnapshots
{
    /// <summary>
    /// The operation of an in-place restore request. It is not a PostgreSQL command tag, so the classifier
    /// never gives it to parked SQL: only a request this class parked carries it.
    /// </summary>
    public const string InPlaceOperation = "RESTORE DATA SNAPSHOT";

    private const string InPlaceMarker = "-- rose: restore data snapshot ";

    [GeneratedRegex(@"^-- rose: restore data snapshot (?<name>[0-9]{8}T[0-9]{9}Z) in place\n", RegexOptions.CultureInvariant)]
    private static partial Regex InPlaceHeader();

    /// <summary>Parks a restore in place of <paramref name="snapshotName"/> for approval; nothing on the target changes until it is approved.</summary>
    public Task<InPlaceRestoreRequest> RequestRestoreInPlaceAsync(string database, string snapshotName, Actor who, Channel channel, SqlPolicy policy,
        string? reason, CancellationToken ct) =>
        Errors.DatabaseErrors.TranslateAsync(async () =>
        {
            ArgumentNullException.ThrowIfNull(who);
            var target = Target(database);
            RequireRead(target, policy);
            var snapshot = files.Find(target.Definition.Name, snapshotName)
                ?? throw new DataSnapshotException($"Target {target.Definition.Name} has no data snapshot named '{snapshotName}'.");
            var live = new NpgsqlConnectionStringBuilder(target.Definition.ConnectionString).Database ?? target.Definition.Name;
            var sql = InPlaceSql(snapshot, live);
            string[] reasons = [$"a restore in place replaces the live data of {snapshot.Contents} in database {live} with snapshot {snapshot.Name}; it always needs approval"];
            var why = string.IsNullOrWhiteSpace(reason) ? "snapshot restore in place" : reason + " (snapshot restore in place)";
            var attempt = new AuditAttempt(who, channel, target.Definition.Name, why, sql, [InPlaceOperation], Decision.Approval, reasons);
            var (auditId, approvalId) = await runs.RunAsync(attempt,
                run => approvals.CreateAsync(new ApprovalDraft(who, channel, target.Definition.Name, why, sql, [InPlaceOperation], reasons, run.AuditId,
                    TimeSpan.FromHours(options.Value.Approvals.ExpiryHours), policy), ct),
                _ => new AuditOutcome(AuditStatus.PendingApproval), ct);
            await approvals.SetPreviewAsync(approvalId, Preview(snapshot), null, CancellationToken.None);
            await notifier.PublishAsync(approvalId, CancellationToken.None);
            return new InPlaceRestoreRequest(target.Definition.Name, snapshot.Name, approvalId, auditId);
        });

    /// <summary>The snapshot an in-place restore request names, or null when the request is not one.</summary>
    internal static string? InPlaceSnapshotOf(ApprovalRequest request) =>
        request.Operations is [InPlaceOperation] && InPlaceHeader().Match(request.Sql) is { Success: true } m ? m.Groups["name"].Value : null;

    /// <summary>
    /// Runs an approved in-place restore as an audited run on the requester's name with the approver's;
    /// returns the outcome the approval records. Failures after the attempt is written become a failed
    /// outcome (the approval must end), never an exception.
    /// </summary>
    internal async Task<ExecutionOutcome> RunApprovedInPlaceAsync(ApprovalRequest request, Actor approver, CancellationToken ct)
    {
        var name = InPlaceSnapshotOf(request) ?? throw new ApprovedRunRefusedException($"Approval {request.Id} is not a snapshot restore.");
        if (!targets.TryGet(request.Database, out var target))
        {
            throw new ApprovedRunRefusedException($"There is no target database named '{request.Database}' any more; nothing was restored.");
        }

        var snapshot = files.Find(target.Definition.Name, name)
            ?? throw new ApprovedRunRefusedException($"Data snapshot {name} of {target.Definition.Name} is gone (deleted or past Rose:Migrations:DataSnapshots retention); nothing was restored.");
        var batch = classifier.Classify(request.Sql);
        var decision = new PolicyDecision(Decision.Approval, request.PolicyReasons, []) { Operations = [InPlaceOperation] };
        var attempt = new AuditAttempt(request.Requester(), Channel.Approval, target.Definition.Name, request.Reason, request.Sql, [InPlaceOperation],
            Decision.Approval, request.PolicyReasons, request.Id, approver.Id);
        long auditId = 0;
        try
        {
            var (_, restore) = await runs.RunAsync(attempt,
                run =>
                {
                    auditId = run.AuditId;
                    return TrackAsync(target, "restore_in_place", snapshot.Name, job => RestoreInPlaceAsync(target, snapshot, job, run.AuditId, ct));
                },
                r => new AuditOutcome(r.Verified ? AuditStatus.Succeeded : AuditStatus.Failed, RowsAffected: r.Rows,
                    ErrorMessage: r.Verified ? null : Differs(r),
                    StatementsJson: JsonSerializer.Serialize(new { snapshot = r.Snapshot, restored_database = r.RestoredDatabase, in_place = true, tables = r.Tables, verified = r.Verified }, Json)),
                ct);
            var result = new ExecutionResult { Status = restore.Verified ? ExecutionStatus.Succeeded : ExecutionStatus.Failed, Error = restore.Verified ? null : new SqlError("XX000", Differs(restore)) };
            result.Statements.Add(new StatementResult { Index = 0, Tag = InPlaceOperation, RowsAffected = restore.Rows });
            result.Notes.Add(restore.Verified
                ? string.Create(CultureInfo.InvariantCulture, $"Snapshot {snapshot.Name} restored in place into {restore.RestoredDatabase}: all {restore.Tables} table(s) equal the snapshot by checksum.")
                : Differs(restore));
            return new ExecutionOutcome(restore.Verified ? OutcomeStatus.Succeeded : OutcomeStatus.Failed, auditId, batch, decision, result, request.Id);
        }
        catch (Exception ex) when (auditId != 0 && ex is DataSnapshotException or NpgsqlException or TimeoutException or IOException or OperationCanceledException)
        {
            // The attempt is closed as failed by the audited run; pg_restore ran in one transaction, so nothing of it stayed.
            var result = new ExecutionResult { Status = ExecutionStatus.Failed, Error = new SqlError((ex as PostgresException)?.SqlState ?? "XX000", ex.Message) };
            return new ExecutionOutcome(OutcomeStatus.Failed, auditId, batch, decision, result, request.Id);
        }
    }

    private async Task<DataSnapshotRestore> RestoreInPlaceAsync(RegisteredTarget target, DataSnapshot snapshot, DataSnapshotJobs.Job job, long auditId, CancellationToken ct)
    {
        job.Expect(snapshot.Tables.Count);
        var live = new NpgsqlConnectionStringBuilder(target.Definition.ConnectionString);
        var limits = Limits(target);

        // lock_timeout: pg_restore --clean drops tables (ACCESS EXCLUSIVE); it gives up rather than queue behind live traffic forever.
        var settings = string.Create(CultureInfo.InvariantCulture,
            $"-c lock_timeout={(int)limits.LockTimeout.TotalMilliseconds} -c statement_timeout={(int)limits.StatementTimeout.TotalMilliseconds}");
        var (exit, error) = await ToolAsync(() => PgClientTools.RunAsync(PgClientTools.Resolve("pg_restore", options.Value.Migrations.PgDumpPath),
            ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", "--clean", "--if-exists", "--verbose", files.DumpPath(target.Definition.Name, snapshot.Name)],
            live, ct, new Dictionary<string, string> { ["PGOPTIONS"] = settings }, job.Observe));
        if (exit != 0)
        {
            throw new DataSnapshotException($"pg_restore in place into {live.Database} failed (exit {exit}) and changed nothing (one transaction): {error}");
        }

        // Only the snapshot's tables are compared: tables created after it are not in the dump, and pg_restore --clean leaves them alone.
        IReadOnlyList<TableChecksum> actual;
        await using (var session = await executor.OpenSessionAsync(target, limits, ct))
        {
            await session.BeginAsync(ct);
            await session.QueryAsync("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", [], ct);
            actual = await TableChecksums.ReadAsync(session, [.. snapshot.Tables.Select(t => (t.Schema, t.Table))], ct);
            await session.RollbackAsync();
        }

        return new DataSnapshotRestore(target.Definition.Name, snapshot.Name, live.Database ?? target.Definition.Name, actual.Count, actual.Sum(t => t.Rows),
            TableChecksums.Compare(snapshot.Tables, actual), auditId);
    }

    /// <summary>The text an approver reads (and the audit log keeps): what will be replaced, by what, how. Only comments: it is never run as SQL.</summary>
    private static string InPlaceSql(DataSnapshot snapshot, string live) => string.Create(CultureInfo.InvariantCulture, $"""
        {InPlaceMarker}{snapshot.Name} in place
        -- pg_restore --clean --if-exists --single-transaction of data snapshot {snapshot.Name} (taken {snapshot.CreatedAt:u}, {snapshot.Bytes:N0} bytes)
        -- into the LIVE database {live} of target {snapshot.Database}: drops and recreates {snapshot.Contents}
        -- ({snapshot.Tables.Count} table(s), {snapshot.Rows:N0} row(s) as they were then), then compares every table's checksum with the snapshot's.
        """);

    /// <summary>The approver's risk preview: every table of the snapshot is dropped and re-filled under ACCESS EXCLUSIVE.</summary>
    private static string Preview(DataSnapshot snapshot) => JsonSerializer.Serialize(new
    {
        statements = new[]
        {
            new
            {
                index = 0,
                tag = InPlaceOperation,
                @lock = "ACCESS EXCLUSIVE",
                rows_affected = snapshot.Rows,
                objects = snapshot.Tables.Select(t => new { name = t.QualifiedName }).ToArray(),
            },
        },
    });

    private static string Differs(DataSnapshotRestore r) =>
        $"{r.Mismatches.Count} table(s) differ from the snapshot after the restore: " + string.Join("; ", r.Mismatches.Take(5).Select(m => $"{m.Table}: {m.Reason}"));
}

using Npgsql;
using Rose.Core.Approvals;

namespace Rose.Core.Audit.Recovery;

/// <summary>
/// Gives attempts that lost their outcome (the console died between the target's COMMIT and the
/// outcome write, or before the outcome of a denial or a parking) the outcome they had, marked
/// recovered. An attempt that ran in a target transaction carries that transaction's id, so
/// pg_xact_status on the target says what happened: committed (succeeded), aborted (failed), or
/// forgotten (unknown). One instance at a time does it (a session advisory lock on the control database).
/// </summary>
internal sealed class AuditRecovery(ControlDatabase control, AuditLog audit, TargetRegistry targets, SqlExecutor executor,
    ApprovalStore approvals, ApprovalNotifier notifier, IOptions<RoseOptions> options, ILogger<AuditRecovery> log)
{
    private const long RecoveryLockKey = 0x526f_7365_5265_636f; // "RoseReco"

    /// <summary>Attempts read per pass; the rest wait for the next one.</summary>
    private const int MaxPerPass = 500;

    /// <summary>
    /// A denial or a parking writes its outcome right after its attempt, with nothing run in between:
    /// older than this and still open, its writer is gone.
    /// </summary>
    private static readonly TimeSpan NoRunGrace = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Another instance may be between the target's COMMIT and its own outcome write (milliseconds);
    /// a settled transaction is written only after this pause, and the insert yields to an outcome that arrived.
    /// </summary>
    private static readonly TimeSpan SettleDelay = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim oneAtATime = new(1, 1);

    /// <summary>Attempts below this id all have outcomes (ids are handed out in commit order under the chain lock).</summary>
    private long lowWater;

    /// <summary>One pass; returns how many outcomes it wrote (0 also when another instance holds the claim).</summary>
    public async Task<int> RecoverAsync(CancellationToken ct)
    {
        await oneAtATime.WaitAsync(ct);
        try
        {
            await using var claim = await control.DataSource.OpenConnectionAsync(ct);
            if (!await TryClaimAsync(claim, ct))
            {
                return 0;
            }

            try
            {
                return await RecoverClaimedAsync(claim, ct);
            }
            finally
            {
                await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock($1)", claim);
                unlock.Parameters.Add(new NpgsqlParameter<long> { TypedValue = RecoveryLockKey });
                await unlock.ExecuteScalarAsync(CancellationToken.None);
            }
        }
        finally
        {
            oneAtATime.Release();
        }
    }

    private static async Task<bool> TryClaimAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT pg_try_advisory_lock($1)", conn);
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = RecoveryLockKey });
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }

    private async Task<int> RecoverClaimedAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        var open = await OpenAttemptsAsync(conn, ct);
        if (open.Count == 0)
        {
            return 0;
        }

        var runGrace = TimeSpan.FromSeconds(Math.Max(1, options.Value.Audit.RecoveryGraceSeconds));
        var now = DateTimeOffset.UtcNow;
        var decided = new List<(OpenAttempt Attempt, AuditOutcome Outcome)>();
        var settled = await SettledTransactionsAsync(open.Where(a => a.TargetXid is not null && !audit.IsOpen(a.Id)), ct);
        foreach (var a in open)
        {
            if (audit.IsOpen(a.Id))
            {
                // This process is still running it.
                continue;
            }

            if (a.TargetXid is { } xid)
            {
                if (settled.TryGetValue(a.Id, out var status))
                {
                    decided.Add((a, FromTransaction(xid, status)));
                }
            }
            else if (a.IsNoRun && now - a.OccurredAt > NoRunGrace)
            {
                decided.Add((a, a.Decision == "deny"
                    ? new AuditOutcome(AuditStatus.Denied, Recovered: true)
                    : a.Parked
                        ? new AuditOutcome(AuditStatus.PendingApproval, Recovered: true)
                        : new AuditOutcome(AuditStatus.Failed, ErrorMessage: "Recovered after a restart: the console stopped before the request was parked for approval; nothing ran.", Recovered: true)));
            }
            else if (a.ScratchOnly && now - a.OccurredAt > runGrace)
            {
                // A reversibility check writes only its scratch database (swept later), never the target.
                decided.Add((a, new AuditOutcome(AuditStatus.Failed,
                    ErrorMessage: "Recovered after a restart: the reversibility check stopped with the console before it finished; it ran only on a scratch database, so the target was not changed.",
                    Recovered: true)));
            }
            else if (!a.IsNoRun && now - a.OccurredAt > runGrace)
            {
                decided.Add((a, new AuditOutcome(AuditStatus.Unknown,
                    ErrorMessage: "Recovered after a restart: the attempt ran without a target transaction id (read-only, outside a transaction, or not a target), so whether it finished is unknown.",
                    Recovered: true)));
            }
        }

        if (decided.Count > 0)
        {
            await Task.Delay(SettleDelay, ct);
        }

        var written = 0;
        foreach (var (a, outcome) in decided)
        {
            if (await audit.RecordOutcomeAsync(a.Id, outcome, ct))
            {
                written++;
                log.LogWarning("Audit {AuditId}: outcome recovered after a restart as {Status}", a.Id, outcome.Status);
                if (a.ApprovalId is { } approvalId && a.Decision != "deny")
                {
                    await CompleteApprovalAsync(approvalId, a.Id, outcome, ct);
                }
            }
        }

        var unresolved = open.Select(a => a.Id).Except(decided.Select(d => d.Attempt.Id)).ToList();
        lowWater = unresolved.Count > 0 ? unresolved.Min() : open.Count < MaxPerPass ? open.Max(a => a.Id) + 1 : open.Max(a => a.Id);
        return written;
    }

    /// <summary>
    /// An approved run whose console died left its request 'executing'; the run's recovered outcome
    /// settles it, so the queue never shows a request running forever.
    /// </summary>
    private async Task CompleteApprovalAsync(long approvalId, long auditId, AuditOutcome outcome, CancellationToken ct)
    {
        if (await approvals.CompleteRecoveredAsync(approvalId, auditId, outcome.Status, outcome.ErrorMessage, ct))
        {
            log.LogWarning("Approval {ApprovalId}: its run's console stopped; completed from the recovered outcome {Status}", approvalId, outcome.Status);
            await notifier.PublishAsync(approvalId, ct);
        }
    }

    private async Task<List<OpenAttempt>> OpenAttemptsAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        const string sql = """
            SELECT a.id, a.occurred_at, a.database_name, a.decision, a.approval_id, a.target_xid,
                   EXISTS (SELECT 1 FROM rose.approvals p WHERE p.request_audit_id = a.id) AS parked,
                   a.channel = 'migration' AND $3 = ANY (a.decision_reasons) AS scratch_only
            FROM rose.audit_log a
            WHERE a.id >= $1 AND NOT EXISTS (SELECT 1 FROM rose.audit_outcome o WHERE o.audit_id = a.id)
            ORDER BY a.id
            LIMIT $2
            """;
        await using var cmd = new NpgsqlCommand(sql, conn);
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = lowWater });
        cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = MaxPerPass });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Migrations.Reversibility.ReversibilityChecker.ScratchOnlyReason });
        var list = new List<OpenAttempt>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(new OpenAttempt(reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetInt64(4), reader.IsDBNull(5) ? null : reader.GetInt64(5), reader.GetBoolean(6), reader.GetBoolean(7)));
        }

        return list;
    }

    /// <summary>pg_xact_status of each attempt's transaction, per target; in-progress ones and unreachable targets are left out.</summary>
    private async Task<Dictionary<long, string?>> SettledTransactionsAsync(IEnumerable<OpenAttempt> attempts, CancellationToken ct)
    {
        var settled = new Dictionary<long, string?>();
        foreach (var group in attempts.GroupBy(a => a.Database, StringComparer.OrdinalIgnoreCase))
        {
            if (!targets.TryGet(group.Key, out var target))
            {
                // The target is no longer configured: nobody can ask it.
                foreach (var a in group)
                {
                    settled[a.Id] = null;
                }

                continue;
            }

            try
            {
                var xids = group.Select(a => a.TargetXid!.Value).Distinct().ToArray();
                var rows = await executor.ReadCatalogAsync(target,
                    "SELECT x, pg_xact_status(x::text::xid8) FROM unnest($1::bigint[]) AS x", [xids], ct);
                var status = rows.ToDictionary(r => (long)r[0]!, r => (string?)r[1]);
                foreach (var a in group)
                {
                    if (status.TryGetValue(a.TargetXid!.Value, out var s) && s != "in progress")
                    {
                        settled[a.Id] = s;
                    }
                }
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                log.LogWarning(ex, "Audit recovery could not ask target {Database} about {Count} open attempts; will retry", group.Key, group.Count());
            }
        }

        return settled;
    }

    private static AuditOutcome FromTransaction(long xid, string? status) => status switch
    {
        "committed" => new AuditOutcome(AuditStatus.Succeeded,
            ErrorMessage: $"Recovered after a restart: target transaction {xid} committed (pg_xact_status).", Recovered: true),
        "aborted" => new AuditOutcome(AuditStatus.Failed,
            ErrorMessage: $"Recovered after a restart: target transaction {xid} rolled back (pg_xact_status); nothing it ran was kept.", Recovered: true),
        _ => new AuditOutcome(AuditStatus.Unknown,
            ErrorMessage: $"Recovered after a restart: the target no longer knows transaction {xid} (too old, or the target is no longer configured).", Recovered: true),
    };

    private sealed record OpenAttempt(long Id, DateTimeOffset OccurredAt, string Database, string Decision, long? ApprovalId, long? TargetXid, bool Parked,
        bool ScratchOnly)
    {
        /// <summary>A denial or a parking: the pipeline runs nothing for it (an approved run carries its approval id).</summary>
        public bool IsNoRun => Decision == "deny" || (Decision == "approval" && ApprovalId is null);
    }
}

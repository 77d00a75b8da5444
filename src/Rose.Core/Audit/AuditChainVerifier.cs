using Rose.Core.Audit.Checkpoints;
using Rose.Core.Control.Queries;

namespace Rose.Core.Audit;

/// <summary>
/// Walks the audit chain in id order, recomputing each row's hash and its link to the row
/// before, and each outcome's hash against its attempt. Reports the first row that does not fit,
/// and counts attempts that never got an outcome. Then it holds the chain against the newest signed
/// checkpoint (kept outside the database): the checkpointed row must still be there with the same
/// hash, so a cut tail or a chain rebuilt from scratch is reported even though its links are whole.
/// </summary>
public sealed class AuditChainVerifier(ControlDatabase control, AuditCheckpoints checkpoints, AuditLog? audit = null)
{
    /// <summary>Longer than any execution may run (statement timeouts, migration runs), so a live execution is never counted.</summary>
    public static readonly TimeSpan DefaultOutcomeGrace = TimeSpan.FromHours(1);

    public Task<AuditChainReport> VerifyAsync(long? fromId, long? toId, CancellationToken ct) =>
        VerifyAsync(fromId, toId, DefaultOutcomeGrace, ct);

    /// <param name="outcomeGrace">How old an attempt without outcome must be to count as unfinished.</param>
    public Task<AuditChainReport> VerifyAsync(long? fromId, long? toId, TimeSpan outcomeGrace, CancellationToken ct) =>
        DatabaseErrors.TranslateAsync(() => VerifyUntranslatedAsync(fromId, toId, outcomeGrace, ct));

    private async Task<AuditChainReport> VerifyUntranslatedAsync(long? fromId, long? toId, TimeSpan outcomeGrace, CancellationToken ct)
    {
        // Outcomes this process queued are written first: a short grace must not count them as unfinished.
        await (audit?.OutcomesWrittenAsync() ?? Task.CompletedTask);
        await using var conn = await control.DataSource.OpenConnectionAsync(ct);
        var expectedPrev = AuditHasher.Genesis;
        if (fromId is > 1)
        {
            var before = await ControlQueries.QueryAsync<string>(conn, null, "SELECT row_hash FROM rose.audit_log WHERE id < $1 ORDER BY id DESC LIMIT 1",
                new(PgParam.Long(fromId.Value)), ct);
            expectedPrev = before.Count > 0 ? before[0] : AuditHasher.Genesis;
        }

        const string sql = $"""
            SELECT {AuditSql.AttemptColumns},
                   a.prev_hash AS "PrevHash", a.row_hash AS "RowHash", o.status AS "OutcomeStatus", o.rows_affected AS "RowsAffected",
                   o.error_sqlstate AS "ErrorSqlState", o.error_message AS "ErrorMessage", o.outcome_hash AS "OutcomeHash",
                   coalesce(o.recovered, false) AS "Recovered"
            {AuditSql.From}
            WHERE a.id >= $1 AND a.id <= $2
            ORDER BY a.id
            """;
        var checkpoint = await checkpoints.LastAsync(ct);
        if (checkpoint is not null && !checkpoints.IsGenuine(checkpoint))
        {
            return new(false, 0, null, "the newest audit checkpoint's signature does not verify: the checkpoint file was altered");
        }

        // Only a range that reaches the checkpointed row can vouch for it.
        var anchor = checkpoint is not null && checkpoint.Id >= (fromId ?? 0) && checkpoint.Id <= (toId ?? long.MaxValue) ? checkpoint : null;
        var anchorSeen = false;
        long checkedRows = 0;
        long unfinished = 0;
        long? firstUnfinished = null;
        var graceLimit = DateTimeOffset.UtcNow - outcomeGrace;
        // Streamed: a long chain is checked row by row, never held in memory.
        await foreach (var r in ControlQueries.StreamAsync<ChainedRow>(conn, null, sql,
            new(PgParam.Long(fromId ?? 0), PgParam.Long(toId ?? long.MaxValue)), commandTimeoutSeconds: null, ct))
        {
            if (!string.Equals(r.PrevHash, expectedPrev, StringComparison.Ordinal))
            {
                return new(false, checkedRows, r.Id, $"row {r.Id} does not link to the row before it (deleted or reordered rows)");
            }

            var recomputed = AuditHasher.RowHash(r.PrevHash, r.OccurredAt.UtcDateTime, r.ExecutorId, r.ExecutorName, r.ExecutorKind, r.Provider,
                r.Channel, r.Database, r.Reason, r.Sql, r.SqlLength, r.SqlHash, r.Operations, r.Decision, r.DecisionReasons, r.ApprovalId, r.ApprovedBy, r.TargetXid);
            if (!string.Equals(recomputed, r.RowHash, StringComparison.Ordinal))
            {
                return new(false, checkedRows, r.Id, $"row {r.Id} was altered: its content no longer matches its hash");
            }

            if (r.OutcomeStatus is null)
            {
                if (r.OccurredAt <= graceLimit)
                {
                    unfinished++;
                    firstUnfinished ??= r.Id;
                }
            }
            else
            {
                var outcomeHash = AuditHasher.OutcomeHash(r.RowHash, r.Id, r.OutcomeStatus, r.RowsAffected, r.ErrorSqlState, r.ErrorMessage, r.Recovered);
                if (!string.Equals(outcomeHash, r.OutcomeHash, StringComparison.Ordinal))
                {
                    return new(false, checkedRows, r.Id, $"the outcome of row {r.Id} was altered");
                }
            }

            if (anchor is not null && r.Id == anchor.Id)
            {
                if (!string.Equals(r.RowHash, anchor.Hash, StringComparison.Ordinal))
                {
                    return new(false, checkedRows, r.Id, $"row {r.Id} differs from the signed checkpoint of {anchor.Time:u}: the chain was rewritten");
                }

                anchorSeen = true;
            }

            expectedPrev = r.RowHash;
            checkedRows++;
        }

        if (anchor is not null && !anchorSeen)
        {
            return new(false, checkedRows, anchor.Id,
                $"row {anchor.Id}, signed in the checkpoint of {anchor.Time:u}, is missing: rows were deleted from the end of the chain");
        }

        return new(true, checkedRows, null, null, unfinished, firstUnfinished);
    }

    /// <summary>An attempt with its chain links and, when it has one, its outcome (OutcomeStatus null: none yet).</summary>
    private sealed record ChainedRow : AuditAttemptRow
    {
        public required string PrevHash { get; init; }
        public required string RowHash { get; init; }
        public string? OutcomeStatus { get; init; }
        public long? RowsAffected { get; init; }
        public string? ErrorSqlState { get; init; }
        public string? ErrorMessage { get; init; }
        public string? OutcomeHash { get; init; }
        public bool Recovered { get; init; }
    }
}

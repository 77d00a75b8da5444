using System.Runtime.CompilerServices;
using Rose.Core.Control.Queries;

namespace Rose.Core.Audit;

/// <summary>
/// Reads audit entries newest first. id is the only sort key and is unique, and ids are handed out
/// under the chain lock in commit order, so a keyset page never skips or repeats an entry while new
/// ones arrive (new entries only ever appear above the newest page). Outcomes this process queued
/// (<see cref="AuditLog.RecordOutcomeLaterAsync"/>) are waited for before each read, so a run that
/// answered its caller here never shows as running.
/// </summary>
public sealed class AuditReader(ControlDatabase control, AuditLog? audit = null)
{
    private Task OutcomesWrittenAsync() => audit?.OutcomesWrittenAsync() ?? Task.CompletedTask;

    /// <summary>
    /// Ids a text search walks by primary key before using the trigram index; null lets the gram statistics
    /// choose (<see cref="AuditTextSearchPlan"/>). Tests set it to cross the switch with few rows.
    /// </summary>
    internal int? TextWalkWindow { get; init; }

    /// <summary>Ids per tier index the text search asks for (<see cref="AuditTextTiers"/>). Tests use small widths to cross tiers.</summary>
    internal long TextTierWidth { get; init; } = AuditTextTiers.Width;

    /// <summary>One page; without a cursor this is the newest page.</summary>
    public async Task<IReadOnlyList<AuditEntry>> QueryAsync(AuditFilter filter, CancellationToken ct) =>
        (await PageAsync(filter, ct)).Entries;

    /// <summary>One page with whether older and newer pages exist. After takes precedence over Before.</summary>
    public Task<AuditPage> PageAsync(AuditFilter filter, CancellationToken ct) =>
        DatabaseErrors.TranslateAsync(() => PageUntranslatedAsync(filter, ct));

    private async Task<AuditPage> PageUntranslatedAsync(AuditFilter filter, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var limit = Math.Clamp(filter.Limit, 1, AuditFilter.MaxLimit);
        await OutcomesWrittenAsync();
        var towardsNewer = filter.After is not null;
        var effective = towardsNewer ? filter with { Before = null } : filter;

        var parameters = new PositionalParameters();
        // One extra row says whether another page exists in the walking direction.
        var plan = await TextPlanAsync(effective, towardsNewer, ct);
        var tiers = await TextTiersAsync(effective, ct);
        var sql = AuditSql.Build(parameters, effective, limit + 1, ascending: towardsNewer, plan, tiers);
        var list = (await control.QueryAsync<AuditEntry>(sql, parameters, ct)).ToList();

        var more = list.Count > limit;
        if (more)
        {
            list.RemoveAt(list.Count - 1);
        }

        if (towardsNewer)
        {
            list.Reverse();
            return new AuditPage(list, HasOlder: true, HasNewer: more);
        }

        return new AuditPage(list, HasOlder: more, HasNewer: filter.Before is not null);
    }

    /// <summary>A newest-first text page's plan, from the gram statistics (one small read); none for other pages.</summary>
    private async Task<AuditTextSearchPlan?> TextPlanAsync(AuditFilter filter, bool towardsNewer, CancellationToken ct)
    {
        if (towardsNewer || string.IsNullOrWhiteSpace(filter.Text))
        {
            return null;
        }

        var term = filter.Text.Trim();
        var plan = AuditTextSearchPlan.Choose(term, await AuditTextGramStats.ForTermAsync(control, term, ct));
        return TextWalkWindow is { } window ? plan with { WalkWindow = window } : plan;
    }

    /// <summary>
    /// A text page's tiers: which tier indexes exist is up to the catalog, but which ones a page asks follows the
    /// newest id (one primary-key probe). Rows written after it are above every tier the page asks and show on
    /// the next newest page (newest first) or in its catch-all query (towards newer rows).
    /// </summary>
    private async Task<AuditTextTierScope?> TextTiersAsync(AuditFilter filter, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(filter.Text))
        {
            return null;
        }

        var maxId = await control.QuerySingleOrDefaultAsync<long>("SELECT coalesce(max(id), 0) FROM rose.audit_log", null, ct);
        return new AuditTextTierScope(maxId, TextTierWidth);
    }

    /// <summary>
    /// Every matching entry, newest first, read off the server as it streams (for CSV export):
    /// nothing is buffered beyond Npgsql's network buffer.
    /// </summary>
    public async IAsyncEnumerable<AuditEntry> StreamAsync(AuditFilter filter, [EnumeratorCancellation] CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await OutcomesWrittenAsync();
        await using var conn = await control.DataSource.OpenConnectionAsync(ct);
        // One transaction gives the export a single snapshot: rows arriving mid-export are not half in.
        await using var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        var parameters = new PositionalParameters();
        var sql = AuditSql.Build(parameters, filter.WithoutCursor(), limit: null, ascending: false);
        await foreach (var entry in ControlQueries.StreamAsync<AuditEntry>(conn, tx, sql, parameters, commandTimeoutSeconds: 0, ct))
        {
            yield return entry;
        }
    }

    public Task<AuditEntry?> GetAsync(long id, CancellationToken ct) => DatabaseErrors.TranslateAsync(async () =>
    {
        await OutcomesWrittenAsync();
        return await control.QuerySingleOrDefaultAsync<AuditEntry>($"SELECT {AuditSql.Columns} {AuditSql.From} WHERE a.id = $1", new(PgParam.Long(id)), ct);
    });

    /// <summary>The approval request an entry parked, if any (the parked row itself carries no approval_id).</summary>
    public Task<long?> ParkedApprovalAsync(long auditId, CancellationToken ct) => DatabaseErrors.TranslateAsync(() =>
        control.QuerySingleOrDefaultAsync<long?>("SELECT id FROM rose.approvals WHERE request_audit_id = $1 ORDER BY id LIMIT 1", new(PgParam.Long(auditId)), ct));

    /// <summary>Devlogs written about an entry (e.g. the automatic one for an approved execution).</summary>
    public Task<IReadOnlyList<(long Id, string Title)>> DevlogsForAsync(long auditId, CancellationToken ct) =>
        DatabaseErrors.TranslateAsync(() => DevlogsForUntranslatedAsync(auditId, ct));

    private async Task<IReadOnlyList<(long Id, string Title)>> DevlogsForUntranslatedAsync(long auditId, CancellationToken ct) =>
        [.. (await control.QueryAsync<DevlogLink>("""SELECT id AS "Id", title AS "Title" FROM rose.devlogs WHERE audit_id = $1 ORDER BY id LIMIT 20""",
            new(PgParam.Long(auditId)), ct)).Select(d => (d.Id, d.Title))];

    private sealed record DevlogLink(long Id, string Title);
}

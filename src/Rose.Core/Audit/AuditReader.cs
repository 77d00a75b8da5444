using System.Runtime.CompilerServices;
using Npgsql;
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
        var (plan, tiers) = await TextSearchAsync(effective, towardsNewer, ct);
        // One extra row says whether another page exists in the walking direction.
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

    /// <summary>
    /// A text page's plan and tiers, from one small read (<see cref="AuditTextGramStats.ForTermAsync(ControlDatabase, string, CancellationToken)"/>).
    /// The plan (from the gram statistics) is for newest-first pages only. Which tier indexes exist is up to the
    /// catalog, but which ones a page asks follows the newest id: rows written after it are above every tier the
    /// page asks and show on the next newest page (newest first) or in its catch-all query (towards newer rows).
    /// </summary>
    private async Task<(AuditTextSearchPlan? Plan, AuditTextTierScope? Tiers)> TextSearchAsync(AuditFilter filter, bool towardsNewer, CancellationToken ct)
    {
        if (TermOf(filter) is not { } term)
        {
            return (null, null);
        }

        var inputs = await AuditTextGramStats.ForTermAsync(control, term, ct);
        var tiers = new AuditTextTierScope(inputs.MaxId, TextTierWidth);
        if (towardsNewer)
        {
            return (null, tiers);
        }

        var plan = inputs.Plan();
        return (TextWalkWindow is { } window ? plan with { WalkWindow = window } : plan, tiers);
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
        // One transaction gives the export a single snapshot: rows arriving mid-export are not half in, and the
        // newest id read first is the snapshot's, so the ranges below cover every row it holds.
        await using var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        var everything = filter.WithoutCursor();
        var (plan, ranges) = await ExportQueriesAsync(conn, tx, everything, ct);
        foreach (var range in ranges)
        {
            var parameters = new PositionalParameters();
            var sql = AuditSql.Build(parameters, everything, limit: null, ascending: false, plan, idRange: range);
            await foreach (var entry in ControlQueries.StreamAsync<AuditEntry>(conn, tx, sql, parameters, commandTimeoutSeconds: 0, ct))
            {
                yield return entry;
            }
        }
    }

    /// <summary>
    /// The queries of an export, newest rows first. A text filter whose term has a rare word (the gram statistics say
    /// so) asks each tier index in turn for that word, one query per tier with its range written as constants, newest
    /// tier first: milliseconds a tier instead of a read of every row. Any other filter, a frequent term included (most
    /// of whose rows are exported anyway), is one query that walks the rows in id order.
    /// </summary>
    private async Task<(AuditTextSearchPlan? Plan, IReadOnlyList<(long From, long To)?> Ranges)> ExportQueriesAsync(NpgsqlConnection conn,
        NpgsqlTransaction tx, AuditFilter filter, CancellationToken ct)
    {
        // One query over every id: no text filter, or a term the tier indexes would not narrow.
        (AuditTextSearchPlan?, IReadOnlyList<(long, long)?>) walk = (null, [null]);
        if (TermOf(filter) is not { } term)
        {
            return walk;
        }

        var inputs = await AuditTextGramStats.ForTermAsync(conn, tx, term, ct);
        var plan = inputs.Plan();
        return plan.IndexTerm is null
            ? walk
            : (plan, [.. AuditTextTiers.RangesNewestFirst(inputs.MaxId, TextTierWidth).Select(r => ((long, long)?)r)]);
    }

    /// <summary>The filter's search term as it is searched for (trimmed); null when the filter has none.</summary>
    private static string? TermOf(AuditFilter filter) => string.IsNullOrWhiteSpace(filter.Text) ? null : filter.Text.Trim();

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

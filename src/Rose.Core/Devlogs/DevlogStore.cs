using Rose.Core.Control.Queries;

namespace Rose.Core.Devlogs;

/// <summary>Raised when a devlog fails validation; Errors name each field and rule.</summary>
public sealed class DevlogValidationException(IReadOnlyList<string> errors)
    : Exception("The devlog is not valid: " + string.Join(" ", errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}

/// <summary>One page of devlogs, newest first.</summary>
public sealed record DevlogPage(IReadOnlyList<Devlog> Items, bool HasOlder);

/// <summary>rose.devlogs: create, list (keyset by id, newest first) and ranked full-text search.</summary>
public sealed class DevlogStore(ControlDatabase control)
{
    public const int MaxSearchLimit = 100;
    public const int MaxSearchOffset = 1000;

    /// <summary>
    /// Every stored column, in the order of <see cref="Devlog"/>'s parameters and aliased to them; a
    /// search adds its ts_rank as "Rank", every other read <see cref="Unranked"/>.
    /// </summary>
    private const string Columns = """
        d.id AS "Id", d.created_at AS "CreatedAt", d.author_id AS "AuthorId", d.author_name AS "AuthorName", d.author_kind AS "AuthorKind",
        d.service_id AS "ServiceId", d.log_type AS "LogType", d.title AS "Title", d.content AS "Content", d.tags AS "Tags",
        d.metadata::text AS "MetadataJson", d.audit_id AS "AuditId"
        """;

    private const string Unranked = Columns + ", NULL::real AS \"Rank\"";

    public Task<Devlog> CreateAsync(DevlogDraft draft, CancellationToken ct) =>
        DatabaseErrors.TranslateAsync(() => CreateUntranslatedAsync(draft, ct));

    private async Task<Devlog> CreateUntranslatedAsync(DevlogDraft draft, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var errors = DevlogValidator.Validate(draft);
        if (errors.Count > 0)
        {
            throw new DevlogValidationException(errors);
        }

        const string insert = $"""
            INSERT INTO rose.devlogs AS d (author_id, author_name, author_kind, service_id, log_type, title, content, tags, metadata, audit_id)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10)
            RETURNING {Unranked}
            """;
        return await control.QuerySingleAsync<Devlog>(insert, new(
            PgParam.Text(draft.Author.Id),
            PgParam.Text(draft.Author.Name),
            PgParam.Text(draft.Author.KindName),
            PgParam.Text(draft.ServiceId.Trim()),
            PgParam.Text(draft.LogType.Trim()),
            PgParam.Text(draft.Title.Trim()),
            PgParam.Text(draft.Content),
            PgParam.TextArray(draft.Tags.Distinct(StringComparer.Ordinal)),
            PgParam.Text(draft.MetadataJson),
            PgParam.Long(draft.AuditId)), ct);
    }

    public Task<Devlog?> GetAsync(long id, CancellationToken ct) =>
        control.QuerySingleOrDefaultAsync<Devlog>($"SELECT {Unranked} FROM rose.devlogs d WHERE d.id = $1", new(PgParam.Long(id)), ct);

    public Task<DevlogPage> ListAsync(DevlogFilter filter, CancellationToken ct) =>
        DatabaseErrors.TranslateAsync(() => ListUntranslatedAsync(filter, ct));

    private async Task<DevlogPage> ListUntranslatedAsync(DevlogFilter filter, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var limit = Math.Clamp(filter.Limit, 1, DevlogFilter.MaxLimit);
        var parameters = new PositionalParameters();
        var sql = new StringBuilder($"SELECT {Unranked} FROM rose.devlogs d WHERE true");
        AppendFilters(parameters, sql, filter);
        sql.Append(" ORDER BY d.id DESC LIMIT ").Append(parameters.Add(PgParam.Int(limit + 1)));
        var items = (await control.QueryAsync<Devlog>(sql.ToString(), parameters, ct)).ToList();
        var more = items.Count > limit;
        if (more)
        {
            items.RemoveAt(items.Count - 1);
        }

        return new DevlogPage(items, more);
    }

    /// <summary>
    /// PostgreSQL full-text search over title (weight A), content (B) and tags (C), best first; id breaks
    /// rank ties so pages are stable. The query uses web-search syntax ("quoted phrase", -not, or).
    /// </summary>
    public Task<IReadOnlyList<Devlog>> SearchAsync(string query, DevlogFilter filter, int offset, CancellationToken ct) =>
        DatabaseErrors.TranslateAsync(() => SearchUntranslatedAsync(query, filter, offset, ct));

    private async Task<IReadOnlyList<Devlog>> SearchUntranslatedAsync(string query, DevlogFilter filter, int offset, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (string.IsNullOrWhiteSpace(query))
        {
            return [];
        }

        var parameters = new PositionalParameters();
        var q = parameters.Add(PgParam.Text(query.Trim()));
        var sql = new StringBuilder($"""SELECT {Columns}, ts_rank(d.search, q.query) AS "Rank" FROM rose.devlogs d, websearch_to_tsquery('english', {q}) AS q(query) WHERE d.search @@ q.query""");
        AppendFilters(parameters, sql, filter with { Before = null });
        sql.Append(" ORDER BY \"Rank\" DESC, d.id DESC LIMIT ").Append(parameters.Add(PgParam.Int(Math.Clamp(filter.Limit, 1, MaxSearchLimit))))
            .Append(" OFFSET ").Append(parameters.Add(PgParam.Int(Math.Clamp(offset, 0, MaxSearchOffset))));
        return await control.QueryAsync<Devlog>(sql.ToString(), parameters, ct);
    }

    private static void AppendFilters(PositionalParameters parameters, StringBuilder sql, DevlogFilter filter)
    {
        if (filter.Before is { } before)
        {
            sql.Append(" AND d.id < ").Append(parameters.Add(PgParam.Long(before)));
        }

        if (!string.IsNullOrWhiteSpace(filter.ServiceId))
        {
            sql.Append(" AND d.service_id = ").Append(parameters.Add(PgParam.Text(filter.ServiceId.Trim())));
        }

        if (!string.IsNullOrWhiteSpace(filter.LogType))
        {
            sql.Append(" AND d.log_type = ").Append(parameters.Add(PgParam.Text(filter.LogType.Trim())));
        }

        var tags = filter.Tags.Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => t.Trim()).ToArray();
        if (tags.Length > 0)
        {
            sql.Append(" AND d.tags @> ").Append(parameters.Add(PgParam.TextArray(tags)));
        }

        if (filter.From is { } from)
        {
            sql.Append(" AND d.created_at >= ").Append(parameters.Add(PgParam.TimestampTz(from)));
        }

        if (filter.To is { } to)
        {
            sql.Append(" AND d.created_at < ").Append(parameters.Add(PgParam.TimestampTz(to)));
        }

        if (filter.AuditId is { } auditId)
        {
            sql.Append(" AND d.audit_id = ").Append(parameters.Add(PgParam.Long(auditId)));
        }
    }
}

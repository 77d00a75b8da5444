using System.Globalization;
using System.Text;
using Npgsql;
using NpgsqlTypes;
using Rose.Core.Storage;

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

    private const string Columns = """
        d.id, d.created_at, d.author_id, d.author_name, d.author_kind, d.service_id, d.log_type, d.title,
        d.content, d.tags, d.metadata::text, d.audit_id
        """;

    public async Task<Devlog> CreateAsync(DevlogDraft draft, CancellationToken ct)
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
            RETURNING {Columns}
            """;
        await using var cmd = control.DataSource.CreateCommand(insert);
        cmd.Parameters.Add(Text(draft.Author.Id));
        cmd.Parameters.Add(Text(draft.Author.Name));
        cmd.Parameters.Add(Text(draft.Author.KindName));
        cmd.Parameters.Add(Text(draft.ServiceId.Trim()));
        cmd.Parameters.Add(Text(draft.LogType.Trim()));
        cmd.Parameters.Add(Text(draft.Title.Trim()));
        cmd.Parameters.Add(Text(draft.Content));
        cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. draft.Tags.Distinct(StringComparer.Ordinal)] });
        cmd.Parameters.Add(Text(draft.MetadataJson));
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)draft.AuditId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return Read(r, withRank: false);
    }

    public async Task<Devlog?> GetAsync(long id, CancellationToken ct)
    {
        await using var cmd = control.DataSource.CreateCommand($"SELECT {Columns} FROM rose.devlogs d WHERE d.id = $1");
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = id });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? Read(r, withRank: false) : null;
    }

    public async Task<DevlogPage> ListAsync(DevlogFilter filter, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var limit = Math.Clamp(filter.Limit, 1, DevlogFilter.MaxLimit);
        await using var cmd = control.DataSource.CreateCommand();
        var sql = new StringBuilder($"SELECT {Columns} FROM rose.devlogs d WHERE true");
        AppendFilters(cmd, sql, filter);
        sql.Append(" ORDER BY d.id DESC LIMIT ").Append(Param(cmd, new NpgsqlParameter<int> { TypedValue = limit + 1 }));
        cmd.CommandText = sql.ToString();
        var items = await ReadAllAsync(cmd, withRank: false, ct);
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
    public async Task<IReadOnlyList<Devlog>> SearchAsync(string query, DevlogFilter filter, int offset, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (string.IsNullOrWhiteSpace(query))
        {
            return [];
        }

        await using var cmd = control.DataSource.CreateCommand();
        var q = Param(cmd, Text(query.Trim()));
        var sql = new StringBuilder($"SELECT {Columns}, ts_rank(d.search, q.query) AS rank FROM rose.devlogs d, websearch_to_tsquery('english', {q}) AS q(query) WHERE d.search @@ q.query");
        AppendFilters(cmd, sql, filter with { Before = null });
        sql.Append(" ORDER BY rank DESC, d.id DESC LIMIT ").Append(Param(cmd, new NpgsqlParameter<int> { TypedValue = Math.Clamp(filter.Limit, 1, MaxSearchLimit) }))
            .Append(" OFFSET ").Append(Param(cmd, new NpgsqlParameter<int> { TypedValue = Math.Clamp(offset, 0, MaxSearchOffset) }));
        cmd.CommandText = sql.ToString();
        return await ReadAllAsync(cmd, withRank: true, ct);
    }

    private static void AppendFilters(NpgsqlCommand cmd, StringBuilder sql, DevlogFilter filter)
    {
        if (filter.Before is { } before)
        {
            sql.Append(" AND d.id < ").Append(Param(cmd, new NpgsqlParameter<long> { TypedValue = before }));
        }

        if (!string.IsNullOrWhiteSpace(filter.ServiceId))
        {
            sql.Append(" AND d.service_id = ").Append(Param(cmd, Text(filter.ServiceId.Trim())));
        }

        if (!string.IsNullOrWhiteSpace(filter.LogType))
        {
            sql.Append(" AND d.log_type = ").Append(Param(cmd, Text(filter.LogType.Trim())));
        }

        var tags = filter.Tags.Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => t.Trim()).ToArray();
        if (tags.Length > 0)
        {
            sql.Append(" AND d.tags @> ").Append(Param(cmd, new NpgsqlParameter<string[]> { TypedValue = tags }));
        }

        if (filter.From is { } from)
        {
            sql.Append(" AND d.created_at >= ").Append(Param(cmd, new NpgsqlParameter<DateTimeOffset> { TypedValue = from.ToUniversalTime(), NpgsqlDbType = NpgsqlDbType.TimestampTz }));
        }

        if (filter.To is { } to)
        {
            sql.Append(" AND d.created_at < ").Append(Param(cmd, new NpgsqlParameter<DateTimeOffset> { TypedValue = to.ToUniversalTime(), NpgsqlDbType = NpgsqlDbType.TimestampTz }));
        }

        if (filter.AuditId is { } auditId)
        {
            sql.Append(" AND d.audit_id = ").Append(Param(cmd, new NpgsqlParameter<long> { TypedValue = auditId }));
        }
    }

    private static async Task<List<Devlog>> ReadAllAsync(NpgsqlCommand cmd, bool withRank, CancellationToken ct)
    {
        var items = new List<Devlog>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            items.Add(Read(r, withRank));
        }

        return items;
    }

    private static string Param(NpgsqlCommand cmd, NpgsqlParameter p)
    {
        cmd.Parameters.Add(p);
        return "$" + cmd.Parameters.Count.ToString(CultureInfo.InvariantCulture);
    }

    private static NpgsqlParameter Text(string value) => new() { Value = value, NpgsqlDbType = NpgsqlDbType.Text };

    private static Devlog Read(NpgsqlDataReader r, bool withRank) => new()
    {
        Id = r.GetInt64(0),
        CreatedAt = r.GetFieldValue<DateTimeOffset>(1),
        AuthorId = r.GetString(2),
        AuthorName = r.GetString(3),
        AuthorKind = r.GetString(4),
        ServiceId = r.GetString(5),
        LogType = r.GetString(6),
        Title = r.GetString(7),
        Content = r.GetString(8),
        Tags = r.GetFieldValue<string[]>(9),
        MetadataJson = r.GetString(10),
        AuditId = r.IsDBNull(11) ? null : r.GetInt64(11),
        Rank = withRank ? r.GetFloat(12) : null,
    };
}

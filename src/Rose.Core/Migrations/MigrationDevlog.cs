namespace Rose.Core.Migrations;

/// <summary>
/// What a migration devlog is about: one applied file, or a whole approved run.
/// <paramref name="Migration"/> is the "migration" object of the metadata (file, version, approval, ...).
/// </summary>
public sealed record MigrationDevlogSubject(string Title, string Intent, string Sql, object Migration);

/// <summary>One applied file for <see cref="MigrationDevlog.WriteManyAsync"/>: its row counts and the audit row it ran under.</summary>
public sealed record MigrationDevlogEntry(MigrationScript Script, IReadOnlyDictionary<string, long> Pre, IReadOnlyDictionary<string, long> Post, long? AuditId);

/// <summary>
/// The automatic devlog of an applied migration, in the seed's metadata shape
/// {intent, sql, migration, validation: {pre_count, post_count, verified, tables}}. A small internal
/// insert into rose.devlogs that predates DevlogStore; it does not pass the store's limits for
/// people's devlogs (64 KiB of metadata), so a large migration's SQL is kept whole.
/// </summary>
public sealed class MigrationDevlog(ControlDatabase control)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The devlog of one subject (an approved run writes one for the whole run).</summary>
    public async Task<long> WriteAsync(Actor author, string database, MigrationDevlogSubject subject,
        IReadOnlyDictionary<string, long> pre, IReadOnlyDictionary<string, long> post, bool verified, long? auditId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(author);
        var (content, metadata) = Describe(subject, pre, post, verified);
        await using var cmd = control.DataSource.CreateCommand(
            "INSERT INTO rose.devlogs (author_id, author_name, author_kind, service_id, log_type, title, content, tags, metadata, audit_id) VALUES ($1, $2, $3, $4, 'migration', $5, $6, $7, $8::jsonb, $9) RETURNING id");
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = author.Id });
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = author.Name });
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = author.KindName });
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = database });
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = subject.Title });
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = content });
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = new[] { "migration", database } });
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = metadata });
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = (object?)auditId ?? DBNull.Value });
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// The devlogs of many applied files in one statement, each the row
    /// <see cref="WriteAsync(Actor, string, MigrationDevlogSubject, IReadOnlyDictionary{string, long}, IReadOnlyDictionary{string, long}, bool, long?, CancellationToken)"/>
    /// would write for the file alone: a single-transaction run's (one audit row for all) or a batch of a run
    /// that applies each file in its own transaction (each its own audit row). Their ids in the order given.
    /// </summary>
    public async Task<IReadOnlyList<long>> WriteManyAsync(Actor author, string database, string? reason,
        IReadOnlyList<MigrationDevlogEntry> applied, bool verified, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(author);
        ArgumentNullException.ThrowIfNull(applied);
        if (applied.Count == 0)
        {
            return [];
        }

        var titles = new string[applied.Count];
        var contents = new string[applied.Count];
        var metadata = new string[applied.Count];
        var auditIds = new long?[applied.Count];
        for (var i = 0; i < applied.Count; i++)
        {
            var subject = Subject(database, applied[i].Script, reason);
            titles[i] = subject.Title;
            (contents[i], metadata[i]) = Describe(subject, applied[i].Pre, applied[i].Post, verified);
            auditIds[i] = applied[i].AuditId;
        }

        await using var cmd = control.DataSource.CreateCommand("""
            INSERT INTO rose.devlogs (author_id, author_name, author_kind, service_id, log_type, title, content, tags, metadata, audit_id)
            SELECT $1, $2, $3, $4, 'migration', r.title, r.content, $5, r.metadata::jsonb, r.audit_id
            FROM unnest($6::text[], $7::text[], $8::text[], $9::bigint[]) WITH ORDINALITY AS r(title, content, metadata, audit_id, n)
            ORDER BY r.n
            RETURNING id
            """);
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = author.Id });
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = author.Name });
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = author.KindName });
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = database });
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = new[] { "migration", database } });
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = titles });
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = contents });
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = metadata });
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = auditIds, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Bigint });
        var ids = new List<long>(applied.Count);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            ids.Add(reader.GetInt64(0));
        }

        // RETURNING follows the rows as inserted, and the identity gives them ascending ids in that order.
        ids.Sort();
        return ids;
    }

    private static MigrationDevlogSubject Subject(string database, MigrationScript script, string? reason) =>
        new($"Migration {script.FileName} applied to {database}", reason ?? $"apply {script.FileName}", script.Sql,
            new { file = script.FileName, version = script.Version?.Text, checksum = script.Checksum });

    /// <summary>The devlog's content (one line per table) and metadata JSON.</summary>
    private static (string Content, string Metadata) Describe(MigrationDevlogSubject subject,
        IReadOnlyDictionary<string, long> pre, IReadOnlyDictionary<string, long> post, bool verified)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(pre);
        ArgumentNullException.ThrowIfNull(post);
        var tables = pre.Keys.Union(post.Keys).Order(StringComparer.Ordinal).ToList();
        var metadata = JsonSerializer.Serialize(new
        {
            intent = subject.Intent,
            sql = subject.Sql,
            migration = subject.Migration,
            validation = new
            {
                pre_count = pre.Values.Sum(),
                post_count = post.Values.Sum(),
                verified,
                tables = tables.ToDictionary(
                    t => t, t => new { pre_count = pre.TryGetValue(t, out var a) ? a : (long?)null, post_count = post.TryGetValue(t, out var b) ? b : (long?)null }),
            },
        }, Json);
        var content = string.Join("\n", tables.Select(t =>
            $"{t}: {(pre.TryGetValue(t, out var a) ? a.ToString(CultureInfo.InvariantCulture) : "-")} -> {(post.TryGetValue(t, out var b) ? b.ToString(CultureInfo.InvariantCulture) : "-")} rows"));
        return (content, metadata);
    }
}

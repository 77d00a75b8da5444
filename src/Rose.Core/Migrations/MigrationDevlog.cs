namespace Rose.Core.Migrations;

/// <summary>
/// What a migration devlog is about: one applied file, or a whole approved run.
/// <paramref name="Migration"/> is the "migration" object of the metadata (file, version, approval, ...).
/// </summary>
public sealed record MigrationDevlogSubject(string Title, string Intent, string Sql, object Migration);

/// <summary>
/// The automatic devlog of an applied migration, in the seed's metadata shape
/// {intent, sql, migration, validation: {pre_count, post_count, verified, tables}}. A small internal
/// insert into rose.devlogs that predates DevlogStore; it does not pass the store's limits for
/// people's devlogs (64 KiB of metadata), so a large migration's SQL is kept whole.
/// </summary>
public sealed class MigrationDevlog(ControlDatabase control)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The devlog of one migration file the runner applied.</summary>
    public Task<long> WriteAsync(Actor author, string database, MigrationScript script, string? reason,
        IReadOnlyDictionary<string, long> pre, IReadOnlyDictionary<string, long> post, bool verified, long? auditId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(script);
        var subject = new MigrationDevlogSubject($"Migration {script.FileName} applied to {database}", reason ?? $"apply {script.FileName}", script.Sql,
            new { file = script.FileName, version = script.Version?.Text, checksum = script.Checksum });
        return WriteAsync(author, database, subject, pre, post, verified, auditId, ct);
    }

    public async Task<long> WriteAsync(Actor author, string database, MigrationDevlogSubject subject,
        IReadOnlyDictionary<string, long> pre, IReadOnlyDictionary<string, long> post, bool verified, long? auditId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(author);
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
}

using System.Text.Json;
using Rose.Core.Identity;
using Rose.Core.Storage;

namespace Rose.Core.Migrations;

/// <summary>
/// The automatic devlog of an applied migration, in the seed's metadata shape
/// {intent, sql, validation: {pre_count, post_count, verified}}. No devlog store exists yet on this
/// branch, so this is a small internal insert into rose.devlogs; it moves to the store when one lands.
/// </summary>
public sealed class MigrationDevlog(ControlDatabase control)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<long> WriteAsync(Executor author, string database, MigrationScript script, string? reason,
        IReadOnlyDictionary<string, long> pre, IReadOnlyDictionary<string, long> post, bool verified, long? auditId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(author);
        ArgumentNullException.ThrowIfNull(script);
        var metadata = JsonSerializer.Serialize(new
        {
            intent = reason ?? $"apply {script.FileName}",
            sql = script.Sql,
            migration = new { file = script.FileName, version = script.Version?.Text, checksum = script.Checksum },
            validation = new
            {
                pre_count = pre.Values.Sum(),
                post_count = post.Values.Sum(),
                verified,
                tables = pre.Keys.Union(post.Keys).Order(StringComparer.Ordinal).ToDictionary(
                    t => t, t => new { pre_count = pre.TryGetValue(t, out var a) ? a : (long?)null, post_count = post.TryGetValue(t, out var b) ? b : (long?)null }),
            },
        }, Json);
        var content = string.Join("\n", pre.Keys.Union(post.Keys).Order(StringComparer.Ordinal).Select(t =>
            $"{t}: {(pre.TryGetValue(t, out var a) ? a.ToString(System.Globalization.CultureInfo.InvariantCulture) : "-")} -> {(post.TryGetValue(t, out var b) ? b.ToString(System.Globalization.CultureInfo.InvariantCulture) : "-")} rows"));

        await using var cmd = control.DataSource.CreateCommand(
            "INSERT INTO rose.devlogs (author_id, author_name, author_kind, service_id, log_type, title, content, tags, metadata, audit_id) VALUES ($1, $2, $3, $4, 'migration', $5, $6, $7, $8::jsonb, $9) RETURNING id");
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = author.Id });
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = author.Name });
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = author.KindName });
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = database });
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = $"Migration {script.FileName} applied to {database}" });
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = content });
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = new[] { "migration", database } });
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = metadata });
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = (object?)auditId ?? DBNull.Value });
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }
}

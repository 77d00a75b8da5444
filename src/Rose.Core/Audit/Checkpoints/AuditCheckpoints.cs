using Rose.Core.Control.Queries;

namespace Rose.Core.Audit.Checkpoints;

/// <summary>
/// Writes and reads signed checkpoints of the audit chain's head. Each one is appended as a JSON line
/// to audit-checkpoints.jsonl beside the key (outside the control database) and written to the log,
/// so a copy also lives wherever logs are shipped.
/// </summary>
public sealed class AuditCheckpoints(ControlDatabase control, IOptions<RoseOptions> options, ILogger<AuditCheckpoints> log)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly SemaphoreSlim gate = new(1, 1);
    private byte[]? key;

    public string KeyPath => options.Value.Audit.CheckpointKeyFile is { Length: > 0 } configured
        ? configured
        : Path.Combine(options.Value.DataDir, "audit-checkpoint.key");

    /// <summary>The chain this control database holds, as host:port/database.</summary>
    public string Chain { get; } = ChainName(control);

    /// <summary>One file per control database beside the key: several consoles (or test runs) may share a data dir.</summary>
    public string FilePath => Path.Combine(Path.GetDirectoryName(Path.GetFullPath(KeyPath))!,
        $"audit-checkpoints-{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Chain)))[..16]}.jsonl");

    private static string ChainName(ControlDatabase control)
    {
        var b = new Npgsql.NpgsqlConnectionStringBuilder(control.DataSource.ConnectionString);
        return $"{b.Host}:{b.Port}/{b.Database}";
    }

    private byte[] Key => key ??= CheckpointKey.LoadOrCreate(KeyPath);

    /// <summary>Signs the chain's current head, unless the last checkpoint already holds it. Null when the chain is empty.</summary>
    public async Task<AuditCheckpoint?> WriteAsync(CancellationToken ct)
    {
        var head = (await control.QueryAsync<ChainHead>("""SELECT id AS "Id", row_hash AS "Hash" FROM rose.audit_log ORDER BY id DESC LIMIT 1""",
            new PositionalParameters(), ct)).FirstOrDefault();
        if (head is null)
        {
            return null;
        }

        await gate.WaitAsync(ct);
        try
        {
            var last = await LastAsync(ct);
            if (last is not null && last.Id == head.Id && last.Hash == head.Hash && last.Chain == Chain)
            {
                return last;
            }

            var checkpoint = AuditCheckpoint.Sign(Chain, head.Id, head.Hash, DateTimeOffset.UtcNow, Key);
            await File.AppendAllTextAsync(FilePath, JsonSerializer.Serialize(checkpoint, Json) + "\n", ct);
            log.LogInformation("Audit checkpoint of {Chain}: id {Id}, hash {Hash}, time {Time:O}, signature {Signature}",
                checkpoint.Chain, checkpoint.Id, checkpoint.Hash, checkpoint.Time, checkpoint.Signature);
            return checkpoint;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Every checkpoint in the file, oldest first, with whether its signature holds.</summary>
    public async Task<IReadOnlyList<(AuditCheckpoint Checkpoint, bool SignatureValid)>> ListAsync(CancellationToken ct)
    {
        if (!File.Exists(FilePath))
        {
            return [];
        }

        var list = new List<(AuditCheckpoint, bool)>();
        foreach (var line in await File.ReadAllLinesAsync(FilePath, ct))
        {
            if (line.Length == 0)
            {
                continue;
            }

            var checkpoint = Parse(line);
            list.Add(checkpoint is null ? (Unreadable, false) : (checkpoint, IsGenuine(checkpoint)));
        }

        return list;
    }

    /// <summary>The newest checkpoint, signature unchecked (see <see cref="ListAsync"/> and the verifier).</summary>
    public async Task<AuditCheckpoint?> LastAsync(CancellationToken ct)
    {
        if (!File.Exists(FilePath))
        {
            return null;
        }

        // Only the file's tail is read: it grows by a line per interval for as long as Rose runs.
        await using var file = new FileStream(FilePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var tail = new byte[(int)Math.Min(file.Length, 8192)];
        file.Seek(-tail.Length, SeekOrigin.End);
        await file.ReadExactlyAsync(tail, ct);
        var lines = System.Text.Encoding.UTF8.GetString(tail).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return lines.Length == 0 ? null : Parse(lines[^1]) ?? Unreadable;
    }

    /// <summary>Signed with this installation's key, for this control database.</summary>
    internal bool IsGenuine(AuditCheckpoint checkpoint) => checkpoint.Chain == Chain && checkpoint.IsSignedWith(Key);

    /// <summary>A line that is not a checkpoint at all: it never verifies.</summary>
    private static readonly AuditCheckpoint Unreadable = new(string.Empty, 0, string.Empty, default, string.Empty);

    private static AuditCheckpoint? Parse(string line)
    {
        try
        {
            return JsonSerializer.Deserialize<AuditCheckpoint>(line, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed record ChainHead(long Id, string Hash);
}

using System.Security.Cryptography;

namespace Rose.Core.Audit;

/// <summary>
/// Canonical hashing of audit rows. Every field is length-prefixed so no two different rows can
/// serialise to the same bytes, and timestamps are fixed to microseconds (PostgreSQL's precision)
/// so a row hashes the same before it is stored and after it is read back.
/// </summary>
internal static class AuditHasher
{
    public const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";

    public static DateTime ToMicroseconds(DateTime utc) => new(utc.Ticks - (utc.Ticks % 10), DateTimeKind.Utc);

    public static string Sha256Hex(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    public static string RowHash(string prevHash, DateTime occurredAtUtc, string executorId, string executorName,
        string executorKind, string provider, string channel, string database, string? reason, string sqlText,
        int sqlLength, string sqlHash, IReadOnlyList<string> operations, string decision,
        IReadOnlyList<string> decisionReasons, long? approvalId, string? approvedBy, long? targetXid = null)
    {
        var sb = new StringBuilder(256 + sqlText.Length);
        Add(sb, prevHash);
        Add(sb, occurredAtUtc.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture));
        Add(sb, executorId);
        Add(sb, executorName);
        Add(sb, executorKind);
        Add(sb, provider);
        Add(sb, channel);
        Add(sb, database);
        Add(sb, reason);
        Add(sb, sqlText);
        Add(sb, sqlLength.ToString(CultureInfo.InvariantCulture));
        Add(sb, sqlHash);
        AddList(sb, operations);
        Add(sb, decision);
        AddList(sb, decisionReasons);
        Add(sb, approvalId?.ToString(CultureInfo.InvariantCulture));
        Add(sb, approvedBy);
        // Added with crash recovery: only rows that carry a transaction id hash it, so older rows still verify.
        if (targetXid is { } xid)
        {
            Add(sb, "xid:" + xid.ToString(CultureInfo.InvariantCulture));
        }

        return Sha256Hex(sb.ToString());
    }

    public static string OutcomeHash(string rowHash, long auditId, string status, long? rowsAffected,
        string? errorSqlState, string? errorMessage, bool recovered = false)
    {
        var sb = new StringBuilder();
        Add(sb, rowHash);
        Add(sb, auditId.ToString(CultureInfo.InvariantCulture));
        Add(sb, status);
        Add(sb, rowsAffected?.ToString(CultureInfo.InvariantCulture));
        Add(sb, errorSqlState);
        Add(sb, errorMessage);
        // Only recovered outcomes hash the mark, so outcomes written before recovery existed still verify.
        if (recovered)
        {
            Add(sb, "recovered");
        }

        return Sha256Hex(sb.ToString());
    }

    private static void Add(StringBuilder sb, string? value)
    {
        if (value is null)
        {
            sb.Append("-1:");
            return;
        }

        sb.Append(value.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(value).Append('|');
    }

    private static void AddList(StringBuilder sb, IReadOnlyList<string> values)
    {
        sb.Append('[').Append(values.Count.ToString(CultureInfo.InvariantCulture)).Append(']');
        foreach (var value in values)
        {
            Add(sb, value);
        }
    }
}

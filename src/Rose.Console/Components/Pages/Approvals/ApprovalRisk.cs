namespace Rose.Console.Components.Pages.Approvals;

/// <summary>
/// The risk preview (ApprovalPreviewer's JSON) reduced to what an approver decides on: how many rows
/// change, the strongest lock taken, which objects are touched and what depends on them.
/// Display only; the preview itself is computed and stored by Rose.Core.
/// </summary>
public sealed record ApprovalRisk(
    long? RowsAffected,
    bool RowsUnknown,
    string? StrongestLock,
    IReadOnlyList<string> Objects,
    IReadOnlyList<string> Dependents,
    IReadOnlyList<string> DryRunErrors,
    string? Error)
{
    /// <summary>PostgreSQL's table lock modes, weakest first ("Explicit Locking").</summary>
    private static readonly string[] LockOrder =
        ["ACCESS SHARE", "ROW SHARE", "ROW EXCLUSIVE", "SHARE UPDATE EXCLUSIVE", "SHARE", "SHARE ROW EXCLUSIVE", "EXCLUSIVE", "ACCESS EXCLUSIVE"];

    public static ApprovalRisk? From(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        if (root.TryGetProperty("error", out var error))
        {
            return new ApprovalRisk(null, true, null, [], [], [], error.GetString());
        }

        if (!root.TryGetProperty("statements", out var statements))
        {
            return null;
        }

        long rows = 0;
        var unknown = false;
        string? strongest = null;
        var objects = new List<string>();
        var dependents = new List<string>();
        var dryRunErrors = new List<string>();
        foreach (var s in statements.EnumerateArray())
        {
            if (s.TryGetProperty("rows_affected", out var r) && r.ValueKind == JsonValueKind.Number)
            {
                rows += r.GetInt64();
            }
            else
            {
                unknown = true;
            }

            if (s.TryGetProperty("dry_run_error", out var e) && e.ValueKind == JsonValueKind.String)
            {
                dryRunErrors.Add(e.GetString()!);
            }

            if (s.TryGetProperty("lock", out var l) && l.GetString() is { } lockText && Rank(lockText) > Rank(strongest))
            {
                strongest = lockText;
            }

            if (s.TryGetProperty("objects", out var objs))
            {
                foreach (var o in objs.EnumerateArray())
                {
                    objects.Add(o.GetProperty("name").GetString()!);
                    if (o.TryGetProperty("dependents", out var deps))
                    {
                        dependents.AddRange(deps.EnumerateArray().Select(d => d.GetString()!));
                    }
                }
            }
        }

        return new ApprovalRisk(unknown && rows == 0 ? null : rows, unknown, strongest, objects.Distinct().ToList(), dependents.Distinct().ToList(), dryRunErrors, null);
    }

    /// <summary>True when the lock blocks reads of the table (ACCESS EXCLUSIVE).</summary>
    public bool BlocksReads => StrongestLock?.StartsWith("ACCESS EXCLUSIVE", StringComparison.Ordinal) == true;

    /// <summary>Position of a lock description in LockOrder (longest matching mode name wins); -1 when none.</summary>
    private static int Rank(string? lockText)
    {
        if (lockText is null)
        {
            return -1;
        }

        var best = -1;
        var bestLength = 0;
        for (var i = 0; i < LockOrder.Length; i++)
        {
            if (lockText.StartsWith(LockOrder[i], StringComparison.Ordinal) && LockOrder[i].Length > bestLength)
            {
                (best, bestLength) = (i, LockOrder[i].Length);
            }
        }

        return best;
    }
}

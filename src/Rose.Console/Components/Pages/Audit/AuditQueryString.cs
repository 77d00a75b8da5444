using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace Rose.Console.Components.Pages.Audit;

/// <summary>
/// The audit filter as it lives in a URL: one parser and one writer shared by the page, the CSV export
/// and the logs API, so a link copied from the page exports exactly the rows it shows.
/// </summary>
public static class AuditQueryString
{
    public static readonly string[] Statuses = ["succeeded", "failed", "denied", "pending_approval", "cancelled", "running"];
    public static readonly string[] Decisions = ["allow", "approval", "deny"];
    public static readonly string[] Kinds = ["human", "agent", "system"];
    /// <summary>Every channel the audit log can hold, from the enum itself so a new channel shows up in the filter.</summary>
    public static readonly string[] Channels = Enum.GetValues<Channel>().Select(c => c.Name()).ToArray();

    public static AuditFilter Parse(IReadOnlyDictionary<string, StringValues> query, int defaultLimit = 50)
    {
        ArgumentNullException.ThrowIfNull(query);
        string? Get(string key) => query.TryGetValue(key, out var v) && !StringValues.IsNullOrEmpty(v) && !string.IsNullOrWhiteSpace(v[0]) ? v[0]!.Trim() : null;
        return new AuditFilter
        {
            Limit = int.TryParse(Get("limit"), NumberStyles.None, CultureInfo.InvariantCulture, out var limit) ? Math.Clamp(limit, 1, 500) : defaultLimit,
            Before = Long(Get("before")),
            After = Long(Get("after")),
            Database = Get("database"),
            Executor = Get("executor"),
            ExecutorKind = Get("kind"),
            Channel = Get("channel"),
            Operation = Get("operation"),
            Decision = Get("decision"),
            Status = Get("status"),
            Text = Get("q"),
            From = Time(Get("from")),
            To = Time(Get("to")),
        };
    }

    public static AuditFilter Parse(string uri)
    {
        var query = new Uri(new Uri("http://x/"), uri).Query;
        return Parse(QueryHelpers.ParseQuery(query));
    }

    /// <summary>The filter as query-string pairs (cursor included when set), blanks left out.</summary>
    public static Dictionary<string, string?> ToQuery(AuditFilter f) => new()
    {
        ["from"] = f.From?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture),
        ["to"] = f.To?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture),
        ["database"] = f.Database,
        ["executor"] = f.Executor,
        ["kind"] = f.ExecutorKind,
        ["channel"] = f.Channel,
        ["operation"] = f.Operation,
        ["decision"] = f.Decision,
        ["status"] = f.Status,
        ["q"] = f.Text,
        ["limit"] = f.Limit == 50 ? null : f.Limit.ToString(CultureInfo.InvariantCulture),
        ["before"] = f.Before?.ToString(CultureInfo.InvariantCulture),
        ["after"] = f.After?.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>path?k=v&amp;... with every value URL-encoded and blanks dropped.</summary>
    public static string Url(string path, AuditFilter filter, long? detail = null)
    {
        var pairs = ToQuery(filter).Where(p => !string.IsNullOrEmpty(p.Value)).ToList();
        if (detail is { } d)
        {
            pairs.Add(new("detail", d.ToString(CultureInfo.InvariantCulture)));
        }

        return pairs.Count == 0 ? path : QueryHelpers.AddQueryString(path, pairs);
    }

    private static long? Long(string? value) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : null;

    /// <summary>Times without a zone (what a datetime-local input sends) are read as UTC, the zone the page shows.</summary>
    private static DateTimeOffset? Time(string? value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t) ? t : null;
}

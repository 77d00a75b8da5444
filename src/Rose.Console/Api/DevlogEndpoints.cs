using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Features;
using Rose.Core.Devlogs;

namespace Rose.Console.Api;

/// <summary>POST /api/v1/devlogs body (the seed's structured devlog).</summary>
public sealed record CreateDevlogRequest
{
    [JsonPropertyName("service_id")] public string? ServiceId { get; init; }
    [JsonPropertyName("log_type")] public string? LogType { get; init; }
    [JsonPropertyName("title")] public string? Title { get; init; }
    [JsonPropertyName("content")] public string? Content { get; init; }
    [JsonPropertyName("tags")] public IReadOnlyList<string>? Tags { get; init; }
    [JsonPropertyName("metadata")] public JsonElement? Metadata { get; init; }
    [JsonPropertyName("audit_id")] public long? AuditId { get; init; }
}

/// <summary>GET/POST /api/v1/devlogs, GET /api/v1/devlogs/{id}, GET /api/v1/devlogs/search?q=.</summary>
internal static class DevlogEndpoints
{
    /// <summary>A devlog's own limits (DevlogValidator) fit well inside this; anything bigger is refused unread.</summary>
    public const long MaxBodyBytes = 512 * 1024;

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/devlogs", async (HttpContext http, DevlogStore store, CancellationToken ct) =>
        {
            if (ReadFilter(http, out var filter) is { } bad)
            {
                return bad;
            }

            var page = await store.ListAsync(filter, ct);
            return Results.Ok(new { devlogs = page.Items.Select(ToDto), next_before = page.HasOlder ? page.Items[^1].Id : (long?)null });
        }).RequireAuthorization(RosePolicies.Reader).WithName("ListDevlogs").WithSummary("Devlogs, newest first, keyset paged by id; filters service_id, log_type, tag (repeatable), from, to.");

        api.MapGet("/devlogs/search", async (HttpContext http, DevlogStore store, string? q, int? offset, CancellationToken ct) =>
        {
            if (string.IsNullOrWhiteSpace(q))
            {
                return Results.BadRequest(new BadRequestResponse("bad_request", "q (the search text) is required."));
            }

            if (q.Length > 500 || offset is < 0 or > DevlogStore.MaxSearchOffset)
            {
                return Results.BadRequest(new BadRequestResponse("bad_request", $"q must be at most 500 characters and offset 0-{DevlogStore.MaxSearchOffset}."));
            }

            if (ReadFilter(http, out var filter) is { } bad)
            {
                return bad;
            }

            var found = await store.SearchAsync(q, filter, offset ?? 0, ct);
            return Results.Ok(new { devlogs = found.Select(ToDto) });
        }).RequireAuthorization(RosePolicies.Reader).WithName("SearchDevlogs").WithSummary("Full-text search (web-search syntax) over title, content and tags, best match first.");

        api.MapGet("/devlogs/{id:long}", async (long id, DevlogStore store, CancellationToken ct) =>
            await store.GetAsync(id, ct) is { } devlog
                ? Results.Ok(ToDto(devlog))
                : Results.NotFound(new BadRequestResponse("not_found", $"No devlog {id}.")))
            .RequireAuthorization(RosePolicies.Reader).WithName("GetDevlog");

        api.MapPost("/devlogs", CreateAsync).RequireAuthorization(RosePolicies.SqlRunner).WithName("CreateDevlog")
            .WithSummary("Writes a devlog: service_id, log_type, title, content (markdown), tags, metadata {intent, sql, validation {pre_count, post_count, verified}}.")
            .Accepts<CreateDevlogRequest>("application/json");
    }

    private static async Task<IResult> CreateAsync(HttpContext http, DevlogStore store, CancellationToken ct)
    {
        if (http.Request.ContentLength > MaxBodyBytes)
        {
            return Results.BadRequest(new BadRequestResponse("bad_request", $"The body is larger than {MaxBodyBytes} bytes."));
        }

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = MaxBodyBytes;
        }

        CreateDevlogRequest? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<CreateDevlogRequest>(http.Request.Body, cancellationToken: ct);
        }
        catch (JsonException ex)
        {
            return Results.BadRequest(new BadRequestResponse("bad_request", $"The body is not the expected JSON ({ex.Message})."));
        }

        if (body is null)
        {
            return Results.BadRequest(new BadRequestResponse("bad_request", "The body must be a JSON object {service_id, log_type, title, content, tags, metadata}."));
        }

        var metadata = body.Metadata is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) } m ? m.GetRawText() : "{}";
        var draft = new DevlogDraft(CurrentIdentity.ToActor(http.User), body.ServiceId ?? "", body.LogType ?? "",
            body.Title ?? "", body.Content ?? "", body.Tags ?? [], metadata, body.AuditId);
        try
        {
            var created = await store.CreateAsync(draft, ct);
            return Results.Created($"/api/v1/devlogs/{created.Id}", ToDto(created));
        }
        catch (DevlogValidationException ex)
        {
            return Results.BadRequest(new { status = "bad_request", error = string.Join(" ", ex.Errors), errors = ex.Errors });
        }
        catch (Rose.Core.Errors.DatabaseErrorException ex) when (ex.SqlState == Rose.Core.Errors.DatabaseErrors.ForeignKeyViolation)
        {
            return Results.BadRequest(new BadRequestResponse("bad_request", $"audit_id {body.AuditId} is not an audit entry."));
        }
    }

    private static IResult? ReadFilter(HttpContext http, out DevlogFilter filter)
    {
        var q = http.Request.Query;
        filter = new DevlogFilter();
        int limit = 50;
        if (q.TryGetValue("limit", out var l) && (!int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > DevlogFilter.MaxLimit))
        {
            return Results.BadRequest(new BadRequestResponse("bad_request", $"limit must be between 1 and {DevlogFilter.MaxLimit}."));
        }

        long? before = null;
        if (q.TryGetValue("before", out var b))
        {
            if (!long.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                return Results.BadRequest(new BadRequestResponse("bad_request", "before must be a devlog id."));
            }

            before = n;
        }

        DateTimeOffset? from = null, to = null;
        foreach (var (key, set) in new (string, Action<DateTimeOffset>)[] { ("from", v => from = v), ("to", v => to = v) })
        {
            if (q.TryGetValue(key, out var raw))
            {
                if (!DateTimeOffset.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t))
                {
                    return Results.BadRequest(new BadRequestResponse("bad_request", $"{key} must be an ISO 8601 time."));
                }

                set(t);
            }
        }

        filter = new DevlogFilter
        {
            Limit = limit,
            Before = before,
            ServiceId = q["service_id"].FirstOrDefault(),
            LogType = q["log_type"].FirstOrDefault(),
            Tags = q["tag"].Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => t!).ToList(),
            From = from,
            To = to,
        };
        return null;
    }

    internal static object ToDto(Devlog d) => new
    {
        id = d.Id,
        created_at = d.CreatedAt,
        author = new { id = d.AuthorId, name = d.AuthorName, kind = d.AuthorKind },
        service_id = d.ServiceId,
        log_type = d.LogType,
        title = d.Title,
        content = d.Content,
        tags = d.Tags,
        metadata = JsonNode.Parse(d.MetadataJson),
        audit_id = d.AuditId,
        rank = d.Rank,
    };
}

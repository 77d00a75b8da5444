namespace Rose.Core.Devlogs;

/// <summary>
/// Checks a devlog before it is stored, with messages that name the field and the rule, so an agent
/// can correct its call. Limits keep one devlog readable and the table small.
/// </summary>
public static class DevlogValidator
{
    public const int MaxServiceId = 100;
    public const int MaxLogType = 50;
    public const int MaxTitle = 300;
    public const int MaxContent = 100_000;
    public const int MaxTags = 20;
    public const int MaxTag = 64;
    public const int MaxMetadata = 64 * 1024;

    public static IReadOnlyList<string> Validate(DevlogDraft draft)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var errors = new List<string>();
        Required(errors, "service_id", draft.ServiceId, MaxServiceId);
        Required(errors, "log_type", draft.LogType, MaxLogType);
        if (!string.IsNullOrWhiteSpace(draft.LogType) && !draft.LogType.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
        {
            errors.Add("log_type may contain only letters, digits, '_', '-' and '.'.");
        }

        Required(errors, "title", draft.Title, MaxTitle);
        if (draft.Content.Length > MaxContent)
        {
            errors.Add($"content is {draft.Content.Length} characters; the limit is {MaxContent}.");
        }

        if (draft.Tags.Count > MaxTags)
        {
            errors.Add($"tags has {draft.Tags.Count} entries; the limit is {MaxTags}.");
        }

        foreach (var tag in draft.Tags)
        {
            if (string.IsNullOrEmpty(tag) || tag.Length > MaxTag || tag.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            {
                errors.Add($"tag '{Shorten(tag)}' must be 1-{MaxTag} characters without spaces or control characters.");
            }
        }

        errors.AddRange(ValidateMetadata(draft.MetadataJson));
        return errors;
    }

    /// <summary>Metadata is free-form, but the seed's known keys must have the seed's shapes.</summary>
    public static IReadOnlyList<string> ValidateMetadata(string json)
    {
        var errors = new List<string>();
        if (json.Length > MaxMetadata)
        {
            return [$"metadata is {json.Length} characters of JSON; the limit is {MaxMetadata}."];
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException ex)
        {
            return [$"metadata is not valid JSON: {ex.Message}"];
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return ["metadata must be a JSON object."];
            }

            Expect(errors, root, "intent", JsonValueKind.String, "metadata.intent");
            Expect(errors, root, "sql", JsonValueKind.String, "metadata.sql");
            if (root.TryGetProperty("validation", out var validation))
            {
                if (validation.ValueKind != JsonValueKind.Object)
                {
                    errors.Add("metadata.validation must be an object {pre_count, post_count, verified}.");
                }
                else
                {
                    Count(errors, validation, "pre_count");
                    Count(errors, validation, "post_count");
                    if (validation.TryGetProperty("verified", out var verified) && verified.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                    {
                        errors.Add("metadata.validation.verified must be true or false.");
                    }
                }
            }
        }

        return errors;
    }

    private static void Required(List<string> errors, string name, string? value, int max)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add($"{name} is required.");
        }
        else if (value.Length > max)
        {
            errors.Add($"{name} is {value.Length} characters; the limit is {max}.");
        }
    }

    private static void Expect(List<string> errors, JsonElement obj, string key, JsonValueKind kind, string path)
    {
        if (obj.TryGetProperty(key, out var value) && value.ValueKind != kind && value.ValueKind != JsonValueKind.Null)
        {
            errors.Add($"{path} must be a {kind.ToString().ToLowerInvariant()}.");
        }
    }

    private static void Count(List<string> errors, JsonElement validation, string key)
    {
        if (validation.TryGetProperty(key, out var value)
            && !(value.ValueKind == JsonValueKind.Null || (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n) && n >= 0)))
        {
            errors.Add($"metadata.validation.{key} must be a whole number of rows (0 or more).");
        }
    }

    private static string Shorten(string? tag) => tag is null ? "" : tag.Length <= 40 ? tag : tag[..40] + "…";
}

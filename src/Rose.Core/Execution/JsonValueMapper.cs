using System.Text.Json.Nodes;

namespace Rose.Core.Execution;

/// <summary>
/// Maps PostgreSQL's text form of a value to JSON faithfully: integers and floats as numbers
/// unless JSON would lose them (bigint beyond 2^53, NaN, Infinity), numeric as a string,
/// json/jsonb embedded, timestamps in ISO 8601 (with offset for timestamptz), bytea as base64.
/// </summary>
public static class JsonValueMapper
{
    private const long MaxSafeInteger = 9_007_199_254_740_991;

    public static JsonNode? ToJson(string? text, string type)
    {
        if (text is null)
        {
            return null;
        }

        switch (BaseType(type))
        {
            case "boolean":
                return JsonValue.Create(text == "t");
            case "smallint" or "integer" or "oid":
                return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i) ? JsonValue.Create(i) : JsonValue.Create(text);
            case "bigint":
                return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) && Math.Abs(l) <= MaxSafeInteger
                    ? JsonValue.Create(l)
                    : JsonValue.Create(text);
            case "real" or "double precision":
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)
                    ? JsonValue.Create(d)
                    : JsonValue.Create(text);
            case "json" or "jsonb":
                try
                {
                    return JsonNode.Parse(text);
                }
                catch (System.Text.Json.JsonException)
                {
                    return JsonValue.Create(text);
                }

            case "timestamp with time zone":
                return JsonValue.Create(IsoTimestamp(text, withOffset: true));
            case "timestamp without time zone":
                return JsonValue.Create(IsoTimestamp(text, withOffset: false));
            case "bytea":
                return JsonValue.Create(ByteaToBase64(text));
            default:
                return JsonValue.Create(text);
        }
    }

    /// <summary>The type without modifiers: "numeric(30, 10)" → "numeric", "timestamp(3) with time zone" → "timestamp with time zone".</summary>
    public static string BaseType(string type)
    {
        var open = type.IndexOf('(', StringComparison.Ordinal);
        if (open < 0)
        {
            return type;
        }

        var close = type.IndexOf(')', open);
        return close < 0 ? type : string.Concat(type.AsSpan(0, open), type.AsSpan(close + 1));
    }

    /// <summary>"2024-05-01 10:00:00.123+02" → "2024-05-01T10:00:00.123+02:00"; infinity stays as it is.</summary>
    public static string IsoTimestamp(string text, bool withOffset)
    {
        if (text.Length < 19 || text[10] != ' ')
        {
            return text; // infinity, -infinity, BC dates: PostgreSQL's own words are the faithful form.
        }

        var iso = string.Concat(text.AsSpan(0, 10), "T", text.AsSpan(11));
        if (!withOffset)
        {
            return iso;
        }

        // The offset is the trailing +HH, +HH:MM or +HH:MM:SS; JSON readers want +HH:MM.
        var sign = iso.LastIndexOfAny(['+', '-']);
        if (sign <= 10)
        {
            return iso;
        }

        var offset = iso[sign..];
        return offset.Length == 3 ? iso + ":00" : iso;
    }

    /// <summary>PostgreSQL's hex output ("\x0a0b") to base64.</summary>
    public static string ByteaToBase64(string text)
    {
        if (text.StartsWith("\\x", StringComparison.Ordinal))
        {
            try
            {
                return Convert.ToBase64String(Convert.FromHexString(text.AsSpan(2)));
            }
            catch (FormatException)
            {
                return text;
            }
        }

        return text;
    }
}

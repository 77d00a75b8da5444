namespace Rose.Core.Migrations.Lint;

/// <summary>A lint configuration that cannot be used: unknown rule, unknown severity, malformed JSON.</summary>
public sealed class LintSettingsException(string message) : Exception(message);

/// <summary>
/// Per-rule severities ("off" turns a rule off) and whether files run inside a transaction the
/// migration tool opens. JSON form (the `rose lint --config` file):
/// <c>{"rules": {"prefer-robust-stmts": "off", "ban-char-field": "error"}, "assumeInTransaction": false}</c>.
/// </summary>
public sealed record LintSettings
{
    public static LintSettings Default { get; } = new();

    /// <summary>Rule id to severity; a null severity turns the rule off.</summary>
    public IReadOnlyDictionary<string, LintSeverity?> Severities { get; init; } = new Dictionary<string, LintSeverity?>();

    /// <summary>Treat each file as wrapped in a transaction (as Rose's own runner and most migration tools do).</summary>
    public bool AssumeInTransaction { get; init; }

    public bool IsOff(string rule) => Severities.TryGetValue(rule, out var s) && s is null;

    public LintSeverity SeverityOf(string rule, LintSeverity fallback) =>
        Severities.TryGetValue(rule, out var s) && s is { } configured ? configured : fallback;

    /// <summary>Reads the JSON configuration; every rule id must be a registered rule.</summary>
    public static LintSettings Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new LintSettingsException("the lint configuration must be a JSON object");
            }

            var settings = Default;
            foreach (var property in root.EnumerateObject())
            {
                settings = property.Name switch
                {
                    "rules" when property.Value.ValueKind == JsonValueKind.Object => property.Value.EnumerateObject()
                        .Aggregate(settings, (s, rule) => s.With(rule.Name, rule.Value.ValueKind == JsonValueKind.String ? rule.Value.GetString()! : rule.Value.ToString())),
                    "assumeInTransaction" when property.Value.ValueKind is JsonValueKind.True or JsonValueKind.False => settings with { AssumeInTransaction = property.Value.GetBoolean() },
                    _ => throw new LintSettingsException($"unknown or malformed setting '{property.Name}' (expected \"rules\": {{id: level}} and \"assumeInTransaction\": true|false)"),
                };
            }

            return settings;
        }
        catch (JsonException e)
        {
            throw new LintSettingsException($"the lint configuration is not valid JSON: {e.Message}");
        }
    }

    /// <summary>The settings with one rule's severity set from "off", "info", "warning" or "error".</summary>
    public LintSettings With(string rule, string level)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(level);
        if (!MigrationLinter.Rules.Any(r => r.Id == rule))
        {
            throw new LintSettingsException($"unknown lint rule '{rule}' (rose lint --list-rules lists them)");
        }

        LintSeverity? severity = level.Trim().ToLowerInvariant() switch
        {
            "off" => null,
            "info" => LintSeverity.Info,
            "warning" => LintSeverity.Warning,
            "error" => LintSeverity.Error,
            _ => throw new LintSettingsException($"unknown severity '{level}' for rule '{rule}' (use off, info, warning or error)"),
        };
        return this with { Severities = new Dictionary<string, LintSeverity?>(Severities) { [rule] = severity } };
    }
}

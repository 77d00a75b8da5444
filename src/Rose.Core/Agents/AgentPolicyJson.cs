namespace Rose.Core.Agents;

/// <summary>
/// Reads a policy block in the seed's JSON format as an admin typed it, with errors that point at
/// the field to fix. Unknown fields are errors: a misspelt "requires_aproval" must not silently
/// turn a parked DROP into a denied one (or worse, an allowed one).
/// </summary>
public static class AgentPolicyJson
{
    public const string Template = """
        {
          "allowed_databases": ["demo"],
          "allowed_operations": ["SELECT"],
          "requires_approval": ["DROP", "TRUNCATE", "ALTER TABLE"],
          "environment": "dev"
        }
        """;

    private static readonly string[] ListFields = ["allowed_databases", "allowed_operations", "requires_approval"];

    public static bool TryParse(string? json, out SqlPolicy policy, out IReadOnlyList<string> errors)
    {
        policy = SqlPolicy.DenyAll;
        var problems = new List<string>();
        errors = problems;
        if (string.IsNullOrWhiteSpace(json))
        {
            problems.Add("The policy is empty: give a JSON object like the template.");
            return false;
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException ex)
        {
            problems.Add($"The policy is not valid JSON (line {(ex.LineNumber ?? 0) + 1}, position {(ex.BytePositionInLine ?? 0) + 1}).");
            return false;
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                problems.Add("The policy must be a JSON object.");
                return false;
            }

            var lists = new Dictionary<string, List<string>>();
            string? environment = null;
            int? maxRows = null;
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                if (ListFields.Contains(property.Name))
                {
                    lists[property.Name] = ReadList(property, problems);
                }
                else if (property.Name == "environment")
                {
                    environment = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : null;
                    if (environment is null || !TargetEnvironments.TryParse(environment, out _))
                    {
                        problems.Add("\"environment\" must be one of \"dev\", \"staging\", \"prod\".");
                    }
                }
                else if (property.Name == "max_rows")
                {
                    if (property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetInt32(out var rows) && rows > 0)
                    {
                        maxRows = rows;
                    }
                    else
                    {
                        problems.Add("\"max_rows\" must be a positive whole number.");
                    }
                }
                else
                {
                    problems.Add($"Unknown field \"{property.Name}\": expected {string.Join(", ", ListFields.Append("environment").Append("max_rows").Select(f => $"\"{f}\""))}.");
                }
            }

            if (!lists.ContainsKey("allowed_databases"))
            {
                problems.Add("\"allowed_databases\" is required (a list of target names).");
            }

            if (!lists.ContainsKey("allowed_operations") && !lists.ContainsKey("requires_approval"))
            {
                problems.Add("Give \"allowed_operations\" or \"requires_approval\": with neither, the agent can do nothing.");
            }

            if (problems.Count > 0)
            {
                return false;
            }

            policy = new SqlPolicyOptions
            {
                AllowedDatabases = lists.GetValueOrDefault("allowed_databases") ?? [],
                AllowedOperations = lists.GetValueOrDefault("allowed_operations") ?? [],
                RequiresApproval = lists.GetValueOrDefault("requires_approval") ?? [],
                Environment = environment,
                MaxRows = maxRows,
            }.ToPolicy();
            return true;
        }
    }

    /// <summary>The policy as an admin edits it: indented, the seed's field names.</summary>
    public static string Format(SqlPolicy policy) =>
        JsonSerializer.Serialize(policy, new JsonSerializerOptions
        {
            WriteIndented = true,
            DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        });

    /// <summary>Agent ids are used in URLs, logs and configuration keys: letters, digits, '_' and '-'.</summary>
    public static bool IsValidId(string? id) => id is not null && RoseOptionsValidator.IsValidName(id);

    private static List<string> ReadList(JsonProperty property, List<string> problems)
    {
        var list = new List<string>();
        if (property.Value.ValueKind != JsonValueKind.Array)
        {
            problems.Add($"\"{property.Name}\" must be a list of strings.");
            return list;
        }

        foreach (var item in property.Value.EnumerateArray())
        {
            var text = item.ValueKind == JsonValueKind.String ? item.GetString()?.Trim() : null;
            if (string.IsNullOrEmpty(text))
            {
                problems.Add($"\"{property.Name}\" holds an empty or non-string entry.");
                continue;
            }

            list.Add(text);
        }

        return list;
    }
}

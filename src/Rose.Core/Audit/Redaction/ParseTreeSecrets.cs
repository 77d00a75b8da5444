namespace Rose.Core.Audit.Redaction;

/// <summary>
/// What the parse tree says about a statement's string literals: every string constant's decoded
/// value by its byte location (A_Const nodes), and the locations of options whose name is a
/// credential (DefElem nodes: CREATE/ALTER ROLE ... PASSWORD, OPTIONS (password ...) of servers,
/// user mappings and foreign data wrappers), whose value is the next string literal.
/// </summary>
internal sealed class ParseTreeSecrets
{
    public Dictionary<int, string> ValuesByLocation { get; } = [];

    public List<int> SecretOptionLocations { get; } = [];

    /// <summary>Other string fields (e.g. CREATE SUBSCRIPTION's conninfo) that carry a credential.</summary>
    public bool HasUnlocatedSecretValue { get; private set; }

    public static ParseTreeSecrets Read(byte[] parseTreeJson)
    {
        var found = new ParseTreeSecrets();
        using var document = JsonDocument.Parse(parseTreeJson, new JsonDocumentOptions { MaxDepth = 100_000 });
        // An explicit stack: deeply nested expressions must not overflow the thread's stack.
        var pending = new Stack<(string? Name, JsonElement Element)>();
        pending.Push((null, document.RootElement));
        while (pending.Count > 0)
        {
            var (name, element) = pending.Pop();
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    found.Visit(name, element);
                    foreach (var property in element.EnumerateObject())
                    {
                        pending.Push((property.Name, property.Value));
                    }

                    break;
                case JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray())
                    {
                        pending.Push((name, item));
                    }

                    break;
                case JsonValueKind.String when name is "conninfo" && SecretShapes.IsSecretValue(element.GetString() ?? string.Empty):
                    found.HasUnlocatedSecretValue = true;
                    break;
            }
        }

        return found;
    }

    private void Visit(string? name, JsonElement node)
    {
        if (name == "A_Const" && node.TryGetProperty("location", out var location)
            && node.TryGetProperty("sval", out var sval) && sval.ValueKind == JsonValueKind.Object)
        {
            ValuesByLocation[location.GetInt32()] = sval.TryGetProperty("sval", out var s) ? s.GetString() ?? string.Empty : string.Empty;
        }
        else if (name == "DefElem" && node.TryGetProperty("defname", out var defname) && node.TryGetProperty("location", out var at)
            && SecretShapes.IsSecretName(defname.GetString() ?? string.Empty) && node.TryGetProperty("arg", out var arg)
            && arg.ValueKind == JsonValueKind.Object && arg.TryGetProperty("String", out _))
        {
            SecretOptionLocations.Add(at.GetInt32());
        }
    }
}

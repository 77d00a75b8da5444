namespace Rose.Core.Sql.Classification;

/// <summary>Raised when a tree cannot be classified safely; the statement then becomes UNPARSEABLE.</summary>
internal sealed class ClassificationException(string message) : Exception(message);

/// <summary>
/// Walks the WHOLE parse tree of one statement (every object and array, not chosen paths), so a
/// nested statement or a side-effecting call is found wherever the grammar lets it appear:
/// CTEs at any depth, subqueries, FROM-clause functions, DEFAULT and CHECK expressions, CALL
/// arguments, rule actions. Only the statement under a plain EXPLAIN (which does not run it) is
/// muted, and even there function calls still count.
/// </summary>
internal sealed class StatementAnalyzer
{
    /// <summary>Deeper trees are refused rather than risking the stack.</summary>
    private const int MaxDepth = 3000;

    private static readonly HashSet<string> DestructiveAlterCommands = new(StringComparer.Ordinal)
    {
        "AT_DropColumn", "AT_DropConstraint", "AT_DetachPartition", "AT_DetachPartitionFinalize",
    };

    private readonly List<string> operations = [];
    private readonly HashSet<string> seenOperations = new(StringComparer.Ordinal);
    private readonly List<string> objects = [];
    private readonly HashSet<string> seenObjects = new(StringComparer.Ordinal);
    private bool destructive;
    private bool unfiltered;
    private bool writingFunction;
    private bool selectInto;
    private bool rowLocks;
    private StatementKind? nestedKind;

    private StatementAnalyzer()
    {
    }

    /// <summary>
    /// Classifies one top-level statement given its node name and body, and returns it as the batch will
    /// hold it: <see cref="SqlStatement"/> is the one type for a statement's facts, so the classifier's
    /// findings are written straight into it at the statement's place in the batch.
    /// </summary>
    public static SqlStatement Analyze(string node, JsonElement body, int index, int start, string text)
    {
        var analyzer = new StatementAnalyzer();
        var tag = CommandTags.For(node, body);
        analyzer.VisitStatement(node, body, parentKey: null, muted: false, depth: 0, isRoot: true);
        var kind = analyzer.FinalKind(StatementKinds.Base(node, body));
        return new SqlStatement(
            index,
            start,
            text.Length,
            text,
            node,
            tag,
            analyzer.operations,
            analyzer.objects,
            Writes: kind != StatementKind.Read || analyzer.writingFunction,
            analyzer.destructive,
            StatementKinds.NoTransaction(node, body),
            TransactionControl: node == "TransactionStmt",
            kind,
            analyzer.unfiltered,
            Error: null);
    }

    /// <summary>A read that hides a write is classed by what it really does.</summary>
    private StatementKind FinalKind(StatementKind own)
    {
        if (own != StatementKind.Read)
        {
            return own;
        }

        if (selectInto)
        {
            return StatementKind.Ddl; // SELECT INTO creates a table, like CREATE TABLE AS.
        }

        if (nestedKind is { } nested)
        {
            return nested;
        }

        if (rowLocks)
        {
            return StatementKind.Dml;
        }

        return writingFunction ? StatementKind.Utility : StatementKind.Read;
    }

    private void VisitStatement(string node, JsonElement body, string? parentKey, bool muted, int depth, bool isRoot = false)
    {
        if (!muted)
        {
            // A SELECT nested as a subquery is part of its statement; it is a statement of its own
            // only where a statement is expected (EXPLAIN ANALYZE, PREPARE, COPY, DECLARE, CTAS).
            if (isRoot || node != "SelectStmt" || parentKey == "query")
            {
                AddOperation(CommandTags.For(node, body));
            }

            ApplyStatementTraits(node, body, isRoot);
        }

        // A plain EXPLAIN plans its statement without running it.
        var mutedInside = muted || (node == "ExplainStmt" && !StatementKinds.HasOption(body, "options", "analyze"));
        Walk(body, node, mutedInside, depth + 1);
    }

    private void Walk(JsonElement element, string? parentKey, bool muted, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new ClassificationException($"the statement is nested more than {MaxDepth} levels deep");
        }

        if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
            {
                Walk(item, parentKey, muted, depth + 1);
            }

            return;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        // RangeVar fields are printed without their node wrapper when the field is typed RangeVar*.
        if (element.TryGetProperty("relname"u8, out var relname) && relname.ValueKind == JsonValueKind.String
            && element.TryGetProperty("relpersistence"u8, out _))
        {
            AddObject(QualifiedName(element, relname.GetString()!));
        }

        foreach (var property in element.EnumerateObject())
        {
            var name = PropertyNames.Of(property);
            var value = property.Value;
            if (value.ValueKind == JsonValueKind.Object && CommandTags.IsStatementNode(name))
            {
                VisitStatement(name, value, parentKey, muted, depth + 1);
                continue;
            }

            switch (name)
            {
                // CallStmt.funccall is typed FuncCall*, so it is printed without its wrapper.
                case "FuncCall" or "funccall" when value.ValueKind == JsonValueKind.Object:
                    VisitFunctionCall(value);
                    break;
                case "AlterTableCmd" when !muted && DestructiveAlterCommands.Contains(CommandTags.Enum(value, "subtype") ?? string.Empty):
                    destructive = true;
                    break;

                // ALTER ROLE / DATABASE / SYSTEM ... SET print their VariableSetStmt without its wrapper.
                case "setstmt" when value.ValueKind == JsonValueKind.Object && LexerSettings.Problem(value) is { } lexerProblem:
                    throw new ClassificationException(lexerProblem);

                // Set-operation arms are typed SelectStmt* (no wrapper): check them for INTO / FOR UPDATE.
                case "larg" or "rarg" when !muted && value.ValueKind == JsonValueKind.Object:
                    ApplySelectTraits(value);
                    break;
            }

            Walk(value, name, muted, depth + 1);
        }
    }

    private void ApplyStatementTraits(string node, JsonElement body, bool isRoot)
    {
        if (!isRoot)
        {
            var kind = StatementKinds.Base(node, body);
            if (kind != StatementKind.Read && nestedKind is null)
            {
                nestedKind = kind;
            }
        }

        switch (node)
        {
            case "DeleteStmt" or "UpdateStmt":
                destructive = true;
                // WHERE CURRENT OF is a whereClause too, so it counts as filtered.
                unfiltered |= !body.TryGetProperty("whereClause", out _);
                break;
            case "TruncateStmt" or "MergeStmt":
                destructive = true;
                break;
            case "SelectStmt":
                ApplySelectTraits(body);
                break;
            case "CopyStmt":
                if (CommandTags.Flag(body, "is_program"))
                {
                    AddOperation("SERVER PROGRAM");
                }
                else if (body.TryGetProperty("filename", out _))
                {
                    AddOperation("SERVER FILE");
                }

                break;
            case "VariableSetStmt":
                if (LexerSettings.Problem(body) is { } lexerProblem)
                {
                    throw new ClassificationException(lexerProblem);
                }

                // RESET ROLE is gated like SET ROLE: both change the session's identity.
                switch (CommandTags.Enum(body, "name"))
                {
                    case "role":
                        AddOperation("SET ROLE");
                        break;
                    case "session_authorization":
                        AddOperation("SET SESSION AUTHORIZATION");
                        break;
                }

                break;
            case "CreateTrigStmt" when body.TryGetProperty("funcname", out var trigger):
                // The trigger will run this function on every matching row.
                CountFunction(NameParts(trigger));
                break;
        }

        if (node.StartsWith("Drop", StringComparison.Ordinal))
        {
            destructive = true;
        }

        if (node == "DropStmt" && body.TryGetProperty("objects", out var dropped))
        {
            foreach (var item in dropped.EnumerateArray())
            {
                var droppedName = DroppedObjectName(item);
                if (droppedName is not null)
                {
                    AddObject(droppedName);
                }
            }
        }
    }

    private void ApplySelectTraits(JsonElement select)
    {
        if (select.TryGetProperty("intoClause", out _))
        {
            selectInto = true;
            AddOperation("SELECT INTO");
            AddOperation("CREATE TABLE AS");
        }

        if (!select.TryGetProperty("lockingClause", out var locking) || locking.ValueKind != JsonValueKind.Array)
        {
            return;
        }

        // FOR UPDATE / NO KEY UPDATE / SHARE / KEY SHARE take row locks that block writers: its own
        // operation, named so that no "SELECT" policy entry reaches it by the word-prefix rule.
        if (locking.GetArrayLength() > 0)
        {
            rowLocks = true;
            AddOperation(SqlOperations.LockRows);
        }
    }

    private void VisitFunctionCall(JsonElement call)
    {
        if (call.TryGetProperty("funcname", out var funcname))
        {
            CountFunction(NameParts(funcname));
        }
    }

    private void CountFunction(IReadOnlyList<string> parts)
    {
        var entry = Classification.SideEffectFunctions.Match(parts);
        if (entry is null)
        {
            return;
        }

        AddOperation(SqlOperations.FunctionPrefix + parts[^1]);
        writingFunction |= entry.Writes;
    }

    /// <summary>Name components of a String list (funcname, object names).</summary>
    private static List<string> NameParts(JsonElement list)
    {
        var parts = new List<string>();
        if (list.ValueKind != JsonValueKind.Array)
        {
            return parts;
        }

        foreach (var item in list.EnumerateArray())
        {
            if (item.TryGetProperty("String", out var s) && CommandTags.Enum(s, "sval") is { } part)
            {
                parts.Add(part);
            }
        }

        return parts;
    }

    private static string? DroppedObjectName(JsonElement item)
    {
        if (item.TryGetProperty("List", out var list) && list.TryGetProperty("items", out var items))
        {
            return JoinParts(NameParts(items));
        }

        if (item.TryGetProperty("String", out var s))
        {
            return CommandTags.Enum(s, "sval");
        }

        if (item.TryGetProperty("ObjectWithArgs", out var owa) && owa.TryGetProperty("objname", out var objname))
        {
            return JoinParts(NameParts(objname));
        }

        if (item.TryGetProperty("TypeName", out var type) && type.TryGetProperty("names", out var names))
        {
            return JoinParts(NameParts(names));
        }

        return null;
    }

    private static string? JoinParts(List<string> parts) => parts.Count == 0 ? null : string.Join('.', parts);

    private static string QualifiedName(JsonElement rangeVar, string relname)
    {
        var catalog = CommandTags.Enum(rangeVar, "catalogname");
        var schema = CommandTags.Enum(rangeVar, "schemaname");
        return catalog is not null ? $"{catalog}.{schema}.{relname}"
            : schema is not null ? $"{schema}.{relname}"
            : relname;
    }

    private void AddOperation(string operation)
    {
        if (seenOperations.Add(operation))
        {
            operations.Add(operation);
        }
    }

    private void AddObject(string name)
    {
        if (seenObjects.Add(name))
        {
            objects.Add(name);
        }
    }
}

namespace Rose.Core.Undo;

/// <summary>
/// Derives each destructive statement's backup from its parse tree: the target relations and the
/// WHERE condition. Whatever cannot be derived with certainty (data-modifying WITH, USING/FROM
/// joins, WHERE CURRENT OF, CASCADE, nested destructive statements) makes the whole batch
/// unavailable, with the reason: Rose never promises a backup it cannot take exactly.
/// </summary>
public static class PriorBackupPlanner
{
    /// <summary>The operations a prior backup covers (command tags).</summary>
    public static readonly IReadOnlySet<string> Covered = new HashSet<string>(StringComparer.Ordinal)
    {
        "UPDATE", "DELETE", "MERGE", "TRUNCATE TABLE", "DROP TABLE",
    };

    public static BatchBackupPlan Plan(SqlBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var plans = new List<StatementBackupPlan>();
        foreach (var statement in batch.Statements)
        {
            if (!statement.Operations.Any(Covered.Contains))
            {
                continue;
            }

            var (plan, problem) = PlanStatement(statement);
            if (problem is not null)
            {
                return new BatchBackupPlan([], $"statement {statement.Index + 1} ({statement.Tag}): {problem}");
            }

            plans.Add(plan!);
        }

        return plans.Count == 0 ? BatchBackupPlan.None : new BatchBackupPlan(plans, null);
    }

    private static (StatementBackupPlan? Plan, string? Problem) PlanStatement(SqlStatement statement)
    {
        if (!statement.IsParsed)
        {
            return (null, "it did not parse");
        }

        using var tree = SqlParseTree.Parse(statement.Text);
        if (tree is null)
        {
            return (null, "it did not parse on its own");
        }

        var body = tree.Body;
        var nested = statement.Operations.Count(Covered.Contains);
        if (nested > 1 || !Covered.Contains(statement.Tag))
        {
            return (null, "a destructive statement nested in another one (WITH, EXPLAIN ANALYZE, PREPARE) cannot be backed up");
        }

        if (HasItems(body, "withClause"))
        {
            return (null, "a statement with a WITH clause cannot be backed up");
        }

        return tree.Node switch
        {
            "DeleteStmt" => PlanRows(statement, body, "usingClause", "USING"),
            "UpdateStmt" => PlanRows(statement, body, "fromClause", "FROM"),
            "MergeStmt" => WholeTables(statement, body.TryGetProperty("relation", out var merged) ? [merged] : [], keep: false, skipMissing: false),
            "TruncateStmt" => IsCascade(body)
                ? (null, "TRUNCATE ... CASCADE empties tables it does not name; name them instead")
                : WholeTables(statement, body.TryGetProperty("relations", out var list) ? list.EnumerateArray().Select(r => r.GetProperty("RangeVar")).ToList() : [], keep: false, skipMissing: false),
            "DropStmt" => PlanDrop(statement, body),
            _ => (null, $"{tree.Node} is not a statement Rose can back up"),
        };
    }

    private static (StatementBackupPlan?, string?) PlanRows(SqlStatement statement, JsonElement body, string joinMember, string joinWord)
    {
        if (HasItems(body, joinMember))
        {
            return (null, $"the rows an {statement.Tag} ... {joinWord} changes depend on the join; write it with WHERE ... IN (SELECT ...) to get a prior backup");
        }

        if (!body.TryGetProperty("relation", out var rangeVar) || Relation(rangeVar) is not { } relation)
        {
            return (null, "its target table could not be read");
        }

        if (!body.TryGetProperty("whereClause", out var where))
        {
            return (new StatementBackupPlan(statement.Index, statement.Tag, [relation], null, [], false, false), null);
        }

        if (Contains(where, "CurrentOfExpr"))
        {
            return (null, "WHERE CURRENT OF a cursor cannot be backed up");
        }

        var text = WhereClauseText.Extract(statement.Text, relation, where);
        return text is null
            ? (null, "its WHERE clause could not be isolated exactly")
            : (new StatementBackupPlan(statement.Index, statement.Tag, [relation], text, FunctionNames(where), false, false), null);
    }

    private static (StatementBackupPlan?, string?) PlanDrop(SqlStatement statement, JsonElement body)
    {
        if (body.GetProperty("removeType").GetString() != "OBJECT_TABLE")
        {
            return (null, "only DROP TABLE is backed up");
        }

        if (IsCascade(body))
        {
            return (null, "DROP TABLE ... CASCADE drops objects it does not name; drop them first");
        }

        var relations = new List<BackupRelation>();
        foreach (var item in body.GetProperty("objects").EnumerateArray())
        {
            var names = item.GetProperty("List").GetProperty("items").EnumerateArray()
                .Select(n => n.GetProperty("String").GetProperty("sval").GetString()!).ToList();
            if (names.Count is < 1 or > 2)
            {
                return (null, "a table name with a database part cannot be backed up");
            }

            relations.Add(new BackupRelation(names.Count == 2 ? names[0] : null, names[^1], false, null));
        }

        var missingOk = body.TryGetProperty("missing_ok", out var ok) && ok.GetBoolean();
        return (new StatementBackupPlan(statement.Index, statement.Tag, relations, null, [], true, missingOk), null);
    }

    private static (StatementBackupPlan?, string?) WholeTables(SqlStatement statement, IReadOnlyList<JsonElement> rangeVars, bool keep, bool skipMissing)
    {
        var relations = new List<BackupRelation>();
        foreach (var rangeVar in rangeVars)
        {
            if (Relation(rangeVar) is not { } relation)
            {
                return (null, "a target table could not be read");
            }

            relations.Add(relation with { Alias = null });
        }

        return relations.Count == 0
            ? (null, "it names no table")
            : (new StatementBackupPlan(statement.Index, statement.Tag, relations, null, [], keep, skipMissing), null);
    }

    internal static BackupRelation? Relation(JsonElement rangeVar)
    {
        if (rangeVar.TryGetProperty("catalogname", out _) || !rangeVar.TryGetProperty("relname", out var name))
        {
            return null;
        }

        var schema = rangeVar.TryGetProperty("schemaname", out var s) ? s.GetString() : null;
        // libpg_query leaves false members out of its JSON: no "inh" means ONLY.
        var only = !(rangeVar.TryGetProperty("inh", out var inh) && inh.GetBoolean());
        var alias = rangeVar.TryGetProperty("alias", out var a) && a.TryGetProperty("aliasname", out var an) ? an.GetString() : null;
        return new BackupRelation(schema, name.GetString()!, only, alias);
    }

    private static bool HasItems(JsonElement body, string member) =>
        body.TryGetProperty(member, out var value) && (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() > 0);

    private static bool IsCascade(JsonElement body) =>
        body.TryGetProperty("behavior", out var behavior) && behavior.GetString() == "DROP_CASCADE";

    private static bool Contains(JsonElement node, string name) => node.ValueKind switch
    {
        JsonValueKind.Object => node.EnumerateObject().Any(p => p.Name == name || Contains(p.Value, name)),
        JsonValueKind.Array => node.EnumerateArray().Any(e => Contains(e, name)),
        _ => false,
    };

    private static List<string> FunctionNames(JsonElement node)
    {
        var names = new List<string>();
        Collect(node);
        return [.. names.Distinct(StringComparer.Ordinal)];

        void Collect(JsonElement n)
        {
            if (n.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in n.EnumerateObject())
                {
                    if (p.Name == "FuncCall" && p.Value.TryGetProperty("funcname", out var fn))
                    {
                        names.Add(fn.EnumerateArray().Last().GetProperty("String").GetProperty("sval").GetString()!);
                    }

                    Collect(p.Value);
                }
            }
            else if (n.ValueKind == JsonValueKind.Array)
            {
                foreach (var e in n.EnumerateArray())
                {
                    Collect(e);
                }
            }
        }
    }
}

namespace Rose.Core.Advisor;

/// <summary>How a column is used by a statement; the order is the order columns take in a composite index.</summary>
public enum ColumnUse
{
    Equality,
    Join,
    Range,
    Sort,
}

/// <summary>A relation named in a FROM clause (or the target of UPDATE/DELETE).</summary>
public sealed record QueryRelation(string? Schema, string Name, string? Alias);

/// <summary>A column reference: Qualifier is the table name or alias written before it, if any.</summary>
public sealed record QueryColumn(string? Qualifier, string Column, ColumnUse Use);

/// <summary>One query level (a SELECT, UPDATE or DELETE, or a subquery of one): its relations and the columns that could use an index.</summary>
public sealed record QueryScope(IReadOnlyList<QueryRelation> Relations, IReadOnlyList<QueryColumn> Columns);

/// <summary>
/// Reads the libpg_query parse tree of one statement for the columns an index could serve:
/// predicates of WHERE and JOIN ... ON, and ORDER BY keys. Each SELECT level (subqueries, CTEs,
/// UNION arms) is its own scope, so unqualified names resolve against the right FROM list.
/// </summary>
public static class QueryShape
{
    private static readonly HashSet<string> EqualityOperators = ["="];
    private static readonly HashSet<string> RangeOperators = ["<", ">", "<=", ">=", "~~", "~~*"];

    /// <summary>The scopes of the statement; null when it does not parse.</summary>
    public static IReadOnlyList<QueryScope>? Read(string statement)
    {
        using var tree = SqlParseTree.Parse(statement);
        if (tree is null)
        {
            return null;
        }

        var scopes = new List<QueryScope>();
        Walk(tree.Node, tree.Body, scopes);
        return scopes;
    }

    private static void Walk(string node, JsonElement body, List<QueryScope> scopes)
    {
        if (node is "SelectStmt" or "UpdateStmt" or "DeleteStmt")
        {
            scopes.Add(ScopeOf(node, body));
        }

        foreach (var (childNode, childBody) in Children(body))
        {
            Walk(childNode, childBody, scopes);
        }
    }

    /// <summary>Every node object directly or indirectly below, stopping at the first node of each branch.</summary>
    private static IEnumerable<(string Node, JsonElement Body)> Children(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
            {
                foreach (var child in Children(item))
                {
                    yield return child;
                }
            }

            yield break;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            yield break;
        }

        foreach (var property in element.EnumerateObject())
        {
            // A node is an object with one property whose name starts upper-case (libpg_query's node tags).
            if (property.Value.ValueKind == JsonValueKind.Object && property.Name.Length > 0 && char.IsUpper(property.Name[0]))
            {
                yield return (property.Name, property.Value);
            }
            else
            {
                foreach (var child in Children(property.Value))
                {
                    yield return child;
                }
            }
        }
    }

    private static QueryScope ScopeOf(string node, JsonElement body)
    {
        var relations = new List<QueryRelation>();
        var columns = new List<QueryColumn>();
        if (node == "SelectStmt")
        {
            if (body.TryGetProperty("fromClause", out var from))
            {
                foreach (var item in from.EnumerateArray())
                {
                    FromItem(item, relations, columns);
                }
            }

            if (body.TryGetProperty("sortClause", out var sort))
            {
                foreach (var item in sort.EnumerateArray())
                {
                    if (item.TryGetProperty("SortBy", out var sortBy) && sortBy.TryGetProperty("node", out var key)
                        && ColumnOf(key) is { } column)
                    {
                        columns.Add(new QueryColumn(column.Qualifier, column.Column, ColumnUse.Sort));
                    }
                }
            }
        }
        else if (body.TryGetProperty("relation", out var target))
        {
            relations.Add(RelationOf(target));
        }

        if (body.TryGetProperty("whereClause", out var where))
        {
            Predicate(where, columns);
        }

        return new QueryScope(relations, columns);
    }

    private static void FromItem(JsonElement item, List<QueryRelation> relations, List<QueryColumn> columns)
    {
        if (item.TryGetProperty("RangeVar", out var rangeVar))
        {
            relations.Add(RelationOf(rangeVar));
        }
        else if (item.TryGetProperty("JoinExpr", out var join))
        {
            if (join.TryGetProperty("larg", out var left))
            {
                FromItem(left, relations, columns);
            }

            if (join.TryGetProperty("rarg", out var right))
            {
                FromItem(right, relations, columns);
            }

            if (join.TryGetProperty("quals", out var quals))
            {
                Predicate(quals, columns);
            }
        }
    }

    private static QueryRelation RelationOf(JsonElement rangeVar) => new(
        rangeVar.TryGetProperty("schemaname", out var schema) ? schema.GetString() : null,
        rangeVar.GetProperty("relname").GetString()!,
        rangeVar.TryGetProperty("alias", out var alias) && alias.TryGetProperty("aliasname", out var name) ? name.GetString() : null);

    private static void Predicate(JsonElement expression, List<QueryColumn> columns)
    {
        if (expression.TryGetProperty("BoolExpr", out var boolExpr))
        {
            // OR and NOT arms still name columns a bitmap scan could use; each is judged by the planner later.
            if (boolExpr.TryGetProperty("args", out var args))
            {
                foreach (var arg in args.EnumerateArray())
                {
                    Predicate(arg, columns);
                }
            }

            return;
        }

        if (expression.TryGetProperty("NullTest", out var nullTest) && nullTest.TryGetProperty("arg", out var tested) && ColumnOf(tested) is { } nulled)
        {
            columns.Add(new QueryColumn(nulled.Qualifier, nulled.Column, ColumnUse.Equality));
            return;
        }

        // col IN (SELECT ...) and col = ANY (SELECT ...): the column is probed once per subquery row.
        if (expression.TryGetProperty("SubLink", out var subLink) && subLink.TryGetProperty("subLinkType", out var linkType)
            && linkType.GetString() == "ANY_SUBLINK" && subLink.TryGetProperty("testexpr", out var probe) && ColumnOf(probe) is { } probed)
        {
            columns.Add(new QueryColumn(probed.Qualifier, probed.Column, ColumnUse.Equality));
            return;
        }

        if (!expression.TryGetProperty("A_Expr", out var aExpr))
        {
            return;
        }

        var kind = aExpr.TryGetProperty("kind", out var k) ? k.GetString() : null;
        var op = aExpr.TryGetProperty("name", out var name) && name.GetArrayLength() > 0 && name[name.GetArrayLength() - 1].TryGetProperty("String", out var s)
            ? s.GetProperty("sval").GetString() : null;
        var left = aExpr.TryGetProperty("lexpr", out var l) ? ColumnOf(l) : null;
        var right = aExpr.TryGetProperty("rexpr", out var r) ? ColumnOf(r) : null;
        ColumnUse? use = kind switch
        {
            "AEXPR_IN" => ColumnUse.Equality,
            "AEXPR_BETWEEN" or "AEXPR_LIKE" => ColumnUse.Range,
            "AEXPR_OP" when op is not null && EqualityOperators.Contains(op) => left is not null && right is not null ? ColumnUse.Join : ColumnUse.Equality,
            "AEXPR_OP" when op is not null && RangeOperators.Contains(op) => ColumnUse.Range,
            _ => null,
        };
        if (use is null)
        {
            return;
        }

        foreach (var column in new[] { left, right })
        {
            if (column is not null)
            {
                columns.Add(new QueryColumn(column.Qualifier, column.Column, use.Value));
            }
        }
    }

    /// <summary>A plain column reference (possibly under a type cast), or null for anything else.</summary>
    private static QueryColumn? ColumnOf(JsonElement node)
    {
        if (node.TryGetProperty("TypeCast", out var cast) && cast.TryGetProperty("arg", out var inner))
        {
            return ColumnOf(inner);
        }

        if (!node.TryGetProperty("ColumnRef", out var columnRef) || !columnRef.TryGetProperty("fields", out var fields))
        {
            return null;
        }

        var names = new List<string>();
        foreach (var field in fields.EnumerateArray())
        {
            if (!field.TryGetProperty("String", out var text))
            {
                return null; // A_Star: t.* is no column
            }

            names.Add(text.GetProperty("sval").GetString()!);
        }

        return names.Count switch
        {
            1 => new QueryColumn(null, names[0], ColumnUse.Equality),
            >= 2 => new QueryColumn(names[^2], names[^1], ColumnUse.Equality),
            _ => null,
        };
    }
}

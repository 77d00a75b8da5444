namespace Rose.Core.Migrations.Lint;

/// <summary>A column a statement creates or retypes: its definition and whether its table is new in this statement.</summary>
internal readonly record struct LintColumn(JsonElement Def, string? Name, string? Type, bool NewTable, bool Retype);

/// <summary>Helpers for reading libpg_query trees.</summary>
internal static class LintTree
{
    public static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public static bool Flag(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;

    public static int Int(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : 0;

    public static JsonElement Prop(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) ? v : default;

    public static IEnumerable<JsonElement> Array(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array ? v.EnumerateArray() : [];

    /// <summary>The bodies of the items of a node list that are of the given node type.</summary>
    public static IEnumerable<JsonElement> Nodes(JsonElement e, string name, string nodeType) =>
        Array(e, name).Select(item => Prop(item, nodeType)).Where(n => n.ValueKind == JsonValueKind.Object);

    /// <summary>"schema.table" or "table" of a RangeVar, as written.</summary>
    public static string? RangeVar(JsonElement rel)
    {
        var name = Str(rel, "relname");
        var schema = Str(rel, "schemaname");
        return name is null ? null : schema is null ? name : $"{schema}.{name}";
    }

    /// <summary>The relation a statement body names in its "relation" field.</summary>
    public static string? Relation(JsonElement body) => RangeVar(Prop(body, "relation"));

    /// <summary>The last element of a name list (["pg_catalog","int4"] -> "int4"), lower-cased.</summary>
    public static string? LastName(JsonElement names) =>
        names.ValueKind == JsonValueKind.Array && names.GetArrayLength() > 0 && Str(Prop(names[names.GetArrayLength() - 1], "String"), "sval") is { } s
            ? s.ToLowerInvariant()
            : null;

    /// <summary>All elements of a name list, dot-joined.</summary>
    public static string JoinNames(JsonElement names) =>
        names.ValueKind == JsonValueKind.Array ? string.Join('.', names.EnumerateArray().Select(n => Str(Prop(n, "String"), "sval"))) : "";

    /// <summary>Type of a TypeName node ("int4", "varchar", "serial"); arrays end in "[]".</summary>
    public static string? TypeOf(JsonElement typeName)
    {
        var name = LastName(Prop(typeName, "names"));
        return name is not null && Array(typeName, "arrayBounds").Any() ? name + "[]" : name;
    }

    /// <summary>The AlterTableCmd bodies of an ALTER TABLE.</summary>
    public static IEnumerable<JsonElement> AlterCommands(LintStatement s) =>
        s.Node == "AlterTableStmt" ? Nodes(s.Body, "cmds", "AlterTableCmd") : [];

    public static IEnumerable<JsonElement> AlterCommands(LintStatement s, string subtype) =>
        AlterCommands(s).Where(c => Str(c, "subtype") == subtype);

    /// <summary>Constraint bodies of a ColumnDef (or of a CREATE TABLE's table-level constraints).</summary>
    public static IEnumerable<JsonElement> Constraints(JsonElement node, string field = "constraints") => Nodes(node, field, "Constraint");

    public static bool HasConstraint(JsonElement columnDef, string contype) => Constraints(columnDef).Any(c => Str(c, "contype") == contype);

    public static JsonElement? ColumnDef(JsonElement alterCmd) =>
        Prop(Prop(alterCmd, "def"), "ColumnDef") is { ValueKind: JsonValueKind.Object } col ? col : null;

    /// <summary>The constraint an ALTER TABLE ... ADD CONSTRAINT adds.</summary>
    public static JsonElement? AddedConstraint(JsonElement alterCmd) =>
        Str(alterCmd, "subtype") == "AT_AddConstraint" && Prop(Prop(alterCmd, "def"), "Constraint") is { ValueKind: JsonValueKind.Object } con ? con : null;

    /// <summary>Columns created by CREATE TABLE or ADD COLUMN, and columns retyped by ALTER COLUMN ... TYPE.</summary>
    public static IEnumerable<LintColumn> Columns(LintStatement s)
    {
        if (s.Node == "CreateStmt")
        {
            foreach (var col in Nodes(s.Body, "tableElts", "ColumnDef"))
            {
                yield return new LintColumn(col, Str(col, "colname"), TypeOf(Prop(col, "typeName")), true, false);
            }
        }

        foreach (var cmd in AlterCommands(s))
        {
            var subtype = Str(cmd, "subtype");
            if (subtype is "AT_AddColumn" or "AT_AlterColumnType" && ColumnDef(cmd) is { } col)
            {
                yield return new LintColumn(col, Str(col, "colname") ?? Str(cmd, "name"), TypeOf(Prop(col, "typeName")), false, subtype == "AT_AlterColumnType");
            }
        }
    }

    /// <summary>Tables created earlier in (or by) the migration up to and including statement <paramref name="upTo"/>: changes to them lock nobody.</summary>
    public static HashSet<string> CreatedTables(IReadOnlyList<LintStatement> migration, int upTo)
    {
        var created = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var s in migration.TakeWhile(s => s.Statement.Index <= upTo))
        {
            if (s.Node is "CreateStmt" or "CreateTableAsStmt" && (Relation(s.Body) ?? RangeVar(Prop(Prop(s.Body, "into"), "rel"))) is { } name)
            {
                created.Add(name);
            }
        }

        return created;
    }

    /// <summary>True for a plain constant, a cast of one, or NULL: values PostgreSQL stores without evaluating anything per row.</summary>
    public static bool IsConstant(JsonElement expr) =>
        expr.ValueKind == JsonValueKind.Object && (expr.TryGetProperty("A_Const", out _)
            || (expr.TryGetProperty("TypeCast", out var cast) && IsConstant(Prop(cast, "arg"))));

    /// <summary>Every function name called anywhere under an expression.</summary>
    public static IEnumerable<string> FunctionNames(JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject())
                {
                    if (p.Name == "FuncCall" && LastName(Prop(p.Value, "funcname")) is { } fn)
                    {
                        yield return fn;
                    }

                    foreach (var nested in FunctionNames(p.Value))
                    {
                        yield return nested;
                    }
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in e.EnumerateArray())
                {
                    foreach (var nested in FunctionNames(item))
                    {
                        yield return nested;
                    }
                }

                break;
        }
    }
}

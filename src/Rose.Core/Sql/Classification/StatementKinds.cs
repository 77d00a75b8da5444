namespace Rose.Core.Sql.Classification;

/// <summary>Per-node facts that do not need the whole tree: broad kind and "not in a transaction block".</summary>
internal static class StatementKinds
{
    /// <summary>Schema changes that do not follow the Create/Alter/Drop naming of their node.</summary>
    private static readonly HashSet<string> OtherDdl = new(StringComparer.Ordinal)
    {
        "IndexStmt", "ViewStmt", "RuleStmt", "CommentStmt", "GrantStmt", "GrantRoleStmt", "SecLabelStmt",
        "RefreshMatViewStmt", "RenameStmt", "DefineStmt", "CompositeTypeStmt", "ImportForeignSchemaStmt",
        "ReassignOwnedStmt", "CreatedbStmt", "DropdbStmt",

        // TRUNCATE empties a table without row-level effects: treated as a schema-level change so
        // that prod parks it like other DDL.
        "TruncateStmt",
    };

    /// <summary>The kind of a node on its own, before nested statements and function calls are considered.</summary>
    public static StatementKind Base(string node, JsonElement body)
    {
        switch (node)
        {
            case "SelectStmt" or "VariableShowStmt" or "ExplainStmt":
                return StatementKind.Read;
            case "InsertStmt" or "UpdateStmt" or "DeleteStmt" or "MergeStmt":
                return StatementKind.Dml;
            case "CopyStmt":
                return CommandTags.Flag(body, "is_from") ? StatementKind.Dml : StatementKind.Utility;
            case "TransactionStmt":
                return StatementKind.TransactionControl;
        }

        if (OtherDdl.Contains(node)
            || node.StartsWith("Create", StringComparison.Ordinal)
            || node.StartsWith("Alter", StringComparison.Ordinal)
            || node.StartsWith("Drop", StringComparison.Ordinal))
        {
            return StatementKind.Ddl;
        }

        // SET, VACUUM, DO, CALL, LOCK, LISTEN, PREPARE, EXECUTE, cursors, CHECKPOINT, ...
        return StatementKind.Utility;
    }

    /// <summary>True when PostgreSQL refuses the statement inside a transaction block (PreventInTransactionBlock).</summary>
    public static bool NoTransaction(string node, JsonElement body) => node switch
    {
        "VacuumStmt" => CommandTags.Flag(body, "is_vacuumcmd"),
        "CreatedbStmt" or "DropdbStmt" or "CreateTableSpaceStmt" or "DropTableSpaceStmt" or "AlterSystemStmt" => true,
        "IndexStmt" or "DropStmt" => CommandTags.Flag(body, "concurrent"),
        "ReindexStmt" => CommandTags.Enum(body, "kind") is "REINDEX_OBJECT_SYSTEM" or "REINDEX_OBJECT_DATABASE"
            || HasOption(body, "params", "concurrently"),
        "ClusterStmt" => !body.TryGetProperty("relation", out _),

        // Subscriptions create or drop a replication slot on the publisher unless told not to;
        // Rose keeps them out of transactions either way.
        "CreateSubscriptionStmt" or "DropSubscriptionStmt" => true,
        "AlterSubscriptionStmt" => CommandTags.Enum(body, "kind") is "ALTER_SUBSCRIPTION_REFRESH",
        "AlterDatabaseStmt" => HasOption(body, "options", "tablespace"),
        _ => false,
    };

    /// <summary>True when a DefElem list holds the option and it is not explicitly turned off.</summary>
    internal static bool HasOption(JsonElement body, string listField, string option)
    {
        if (!body.TryGetProperty(listField, out var list) || list.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        foreach (var item in list.EnumerateArray())
        {
            if (item.TryGetProperty("DefElem", out var def)
                && string.Equals(CommandTags.Enum(def, "defname"), option, StringComparison.OrdinalIgnoreCase)
                && !IsOff(def))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>An option's argument is "off" only when written as false/off/no/0; anything else, or none, is on.</summary>
    private static bool IsOff(JsonElement def)
    {
        if (!def.TryGetProperty("arg", out var arg) || arg.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        if (arg.TryGetProperty("String", out var s))
        {
            return CommandTags.Enum(s, "sval")?.ToLowerInvariant() is "false" or "off" or "no" or "0";
        }

        if (arg.TryGetProperty("Boolean", out var b))
        {
            return !CommandTags.Flag(b, "boolval");
        }

        // Integer 0 is printed without its ival field.
        return arg.TryGetProperty("Integer", out var i) && (!i.TryGetProperty("ival", out var ival) || ival.GetInt32() == 0);
    }
}

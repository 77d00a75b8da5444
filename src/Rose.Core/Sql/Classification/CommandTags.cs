namespace Rose.Core.Sql.Classification;

/// <summary>
/// PostgreSQL command tags for raw parse-tree nodes, named as PostgreSQL itself names them
/// (src/include/tcop/cmdtaglist.h, CreateCommandTag in src/backend/tcop/utility.c). An unknown
/// node never throws: its tag is the node name in upper case with spaces ("FooBarStmt" ->
/// "FOO BAR"), which no policy entry matches by accident.
/// </summary>
internal static class CommandTags
{
    /// <summary>Nodes whose tag does not depend on their fields.</summary>
    private static readonly Dictionary<string, string> Fixed = new(StringComparer.Ordinal)
    {
        // Data manipulation.
        ["InsertStmt"] = "INSERT",
        ["UpdateStmt"] = "UPDATE",
        ["DeleteStmt"] = "DELETE",
        ["MergeStmt"] = "MERGE",
        ["CopyStmt"] = "COPY",
        ["TruncateStmt"] = "TRUNCATE TABLE",

        // Tables, indexes, views, sequences, schemas.
        ["CreateStmt"] = "CREATE TABLE",
        ["IndexStmt"] = "CREATE INDEX",
        ["ViewStmt"] = "CREATE VIEW",
        ["CreateSchemaStmt"] = "CREATE SCHEMA",
        ["CreateSeqStmt"] = "CREATE SEQUENCE",
        ["AlterSeqStmt"] = "ALTER SEQUENCE",
        ["RefreshMatViewStmt"] = "REFRESH MATERIALIZED VIEW",
        ["CreateStatsStmt"] = "CREATE STATISTICS",
        ["AlterStatsStmt"] = "ALTER STATISTICS",
        ["CreateTrigStmt"] = "CREATE TRIGGER",
        ["RuleStmt"] = "CREATE RULE",
        ["CreatePolicyStmt"] = "CREATE POLICY",
        ["AlterPolicyStmt"] = "ALTER POLICY",

        // Types, domains, operators, text search, collations, conversions, casts.
        ["CompositeTypeStmt"] = "CREATE TYPE",
        ["CreateEnumStmt"] = "CREATE TYPE",
        ["CreateRangeStmt"] = "CREATE TYPE",
        ["AlterEnumStmt"] = "ALTER TYPE",
        ["AlterTypeStmt"] = "ALTER TYPE",
        ["CreateDomainStmt"] = "CREATE DOMAIN",
        ["AlterDomainStmt"] = "ALTER DOMAIN",
        ["AlterOperatorStmt"] = "ALTER OPERATOR",
        ["CreateOpClassStmt"] = "CREATE OPERATOR CLASS",
        ["CreateOpFamilyStmt"] = "CREATE OPERATOR FAMILY",
        ["AlterOpFamilyStmt"] = "ALTER OPERATOR FAMILY",
        ["AlterTSDictionaryStmt"] = "ALTER TEXT SEARCH DICTIONARY",
        ["AlterTSConfigurationStmt"] = "ALTER TEXT SEARCH CONFIGURATION",
        ["AlterCollationStmt"] = "ALTER COLLATION",
        ["CreateConversionStmt"] = "CREATE CONVERSION",
        ["CreateCastStmt"] = "CREATE CAST",
        ["CreateTransformStmt"] = "CREATE TRANSFORM",
        ["CreateAmStmt"] = "CREATE ACCESS METHOD",
        ["CreatePLangStmt"] = "CREATE LANGUAGE",

        // Extensions, foreign data, replication.
        ["CreateExtensionStmt"] = "CREATE EXTENSION",
        ["AlterExtensionStmt"] = "ALTER EXTENSION",
        ["AlterExtensionContentsStmt"] = "ALTER EXTENSION",
        ["CreateFdwStmt"] = "CREATE FOREIGN DATA WRAPPER",
        ["AlterFdwStmt"] = "ALTER FOREIGN DATA WRAPPER",
        ["CreateForeignServerStmt"] = "CREATE SERVER",
        ["AlterForeignServerStmt"] = "ALTER SERVER",
        ["CreateForeignTableStmt"] = "CREATE FOREIGN TABLE",
        ["CreateUserMappingStmt"] = "CREATE USER MAPPING",
        ["AlterUserMappingStmt"] = "ALTER USER MAPPING",
        ["DropUserMappingStmt"] = "DROP USER MAPPING",
        ["ImportForeignSchemaStmt"] = "IMPORT FOREIGN SCHEMA",
        ["CreatePublicationStmt"] = "CREATE PUBLICATION",
        ["AlterPublicationStmt"] = "ALTER PUBLICATION",
        ["CreateSubscriptionStmt"] = "CREATE SUBSCRIPTION",
        ["AlterSubscriptionStmt"] = "ALTER SUBSCRIPTION",
        ["DropSubscriptionStmt"] = "DROP SUBSCRIPTION",
        ["CreateEventTrigStmt"] = "CREATE EVENT TRIGGER",
        ["AlterEventTrigStmt"] = "ALTER EVENT TRIGGER",

        // Databases, tablespaces, roles, privileges, server configuration.
        ["CreatedbStmt"] = "CREATE DATABASE",
        ["AlterDatabaseStmt"] = "ALTER DATABASE",
        ["AlterDatabaseSetStmt"] = "ALTER DATABASE",
        ["AlterDatabaseRefreshCollStmt"] = "ALTER DATABASE",
        ["DropdbStmt"] = "DROP DATABASE",
        ["CreateTableSpaceStmt"] = "CREATE TABLESPACE",
        ["DropTableSpaceStmt"] = "DROP TABLESPACE",
        ["AlterTableSpaceOptionsStmt"] = "ALTER TABLESPACE",
        ["CreateRoleStmt"] = "CREATE ROLE",
        ["AlterRoleStmt"] = "ALTER ROLE",
        ["AlterRoleSetStmt"] = "ALTER ROLE",
        ["DropRoleStmt"] = "DROP ROLE",
        ["DropOwnedStmt"] = "DROP OWNED",
        ["ReassignOwnedStmt"] = "REASSIGN OWNED",
        ["AlterDefaultPrivilegesStmt"] = "ALTER DEFAULT PRIVILEGES",
        ["AlterSystemStmt"] = "ALTER SYSTEM",
        ["CommentStmt"] = "COMMENT",
        ["SecLabelStmt"] = "SECURITY LABEL",

        // Session, cursors, prepared statements, procedural code.
        ["VariableShowStmt"] = "SHOW",
        ["ExplainStmt"] = "EXPLAIN",
        ["DoStmt"] = "DO",
        ["CallStmt"] = "CALL",
        ["PrepareStmt"] = "PREPARE",
        ["ExecuteStmt"] = "EXECUTE",
        ["DeclareCursorStmt"] = "DECLARE CURSOR",
        ["ListenStmt"] = "LISTEN",
        ["UnlistenStmt"] = "UNLISTEN",
        ["NotifyStmt"] = "NOTIFY",
        ["LoadStmt"] = "LOAD",
        ["ConstraintsSetStmt"] = "SET CONSTRAINTS",
        ["LockStmt"] = "LOCK TABLE",

        // Maintenance.
        ["CheckPointStmt"] = "CHECKPOINT",
        ["ReindexStmt"] = "REINDEX",
        ["ClusterStmt"] = "CLUSTER",
    };

    /// <summary>ObjectType enum value -> the object words PostgreSQL uses in CREATE/ALTER/DROP tags.</summary>
    private static readonly Dictionary<string, string> ObjectWords = new(StringComparer.Ordinal)
    {
        ["OBJECT_ACCESS_METHOD"] = "ACCESS METHOD",
        ["OBJECT_AGGREGATE"] = "AGGREGATE",
        ["OBJECT_CAST"] = "CAST",
        ["OBJECT_COLLATION"] = "COLLATION",
        ["OBJECT_CONVERSION"] = "CONVERSION",
        ["OBJECT_DATABASE"] = "DATABASE",
        ["OBJECT_DOMAIN"] = "DOMAIN",
        ["OBJECT_DOMCONSTRAINT"] = "DOMAIN",
        ["OBJECT_EVENT_TRIGGER"] = "EVENT TRIGGER",
        ["OBJECT_EXTENSION"] = "EXTENSION",
        ["OBJECT_FDW"] = "FOREIGN DATA WRAPPER",
        ["OBJECT_FOREIGN_SERVER"] = "SERVER",
        ["OBJECT_FOREIGN_TABLE"] = "FOREIGN TABLE",
        ["OBJECT_FUNCTION"] = "FUNCTION",
        ["OBJECT_INDEX"] = "INDEX",
        ["OBJECT_LANGUAGE"] = "LANGUAGE",
        ["OBJECT_LARGEOBJECT"] = "LARGE OBJECT",
        ["OBJECT_MATVIEW"] = "MATERIALIZED VIEW",
        ["OBJECT_OPCLASS"] = "OPERATOR CLASS",
        ["OBJECT_OPERATOR"] = "OPERATOR",
        ["OBJECT_OPFAMILY"] = "OPERATOR FAMILY",
        ["OBJECT_AMOP"] = "OPERATOR FAMILY",
        ["OBJECT_AMPROC"] = "OPERATOR FAMILY",
        ["OBJECT_POLICY"] = "POLICY",
        ["OBJECT_PROCEDURE"] = "PROCEDURE",
        ["OBJECT_PUBLICATION"] = "PUBLICATION",
        ["OBJECT_PUBLICATION_NAMESPACE"] = "PUBLICATION",
        ["OBJECT_PUBLICATION_REL"] = "PUBLICATION",
        ["OBJECT_ROLE"] = "ROLE",
        ["OBJECT_ROUTINE"] = "ROUTINE",
        ["OBJECT_RULE"] = "RULE",
        ["OBJECT_SCHEMA"] = "SCHEMA",
        ["OBJECT_SEQUENCE"] = "SEQUENCE",
        ["OBJECT_SUBSCRIPTION"] = "SUBSCRIPTION",
        ["OBJECT_STATISTIC_EXT"] = "STATISTICS",
        ["OBJECT_TABLE"] = "TABLE",
        ["OBJECT_COLUMN"] = "TABLE",
        ["OBJECT_DEFAULT"] = "TABLE",
        ["OBJECT_TABCONSTRAINT"] = "TABLE",
        ["OBJECT_TABLESPACE"] = "TABLESPACE",
        ["OBJECT_TRANSFORM"] = "TRANSFORM",
        ["OBJECT_TRIGGER"] = "TRIGGER",
        ["OBJECT_TSCONFIGURATION"] = "TEXT SEARCH CONFIGURATION",
        ["OBJECT_TSDICTIONARY"] = "TEXT SEARCH DICTIONARY",
        ["OBJECT_TSPARSER"] = "TEXT SEARCH PARSER",
        ["OBJECT_TSTEMPLATE"] = "TEXT SEARCH TEMPLATE",
        ["OBJECT_TYPE"] = "TYPE",
        ["OBJECT_ATTRIBUTE"] = "TYPE",
        ["OBJECT_USER_MAPPING"] = "USER MAPPING",
        ["OBJECT_VIEW"] = "VIEW",
        ["OBJECT_DEFACL"] = "DEFAULT PRIVILEGES",
        ["OBJECT_PARAMETER_ACL"] = "PARAMETER",
    };

    /// <summary>True when the node is a statement Rose knows or looks like one ("...Stmt").</summary>
    /// <remarks>Node names start upper-case; field names such as InsertStmt.selectStmt do not.</remarks>
    public static bool IsStatementNode(string node) =>
        node.Length > 0 && char.IsUpper(node[0])
        && (Fixed.ContainsKey(node) || node.EndsWith("Stmt", StringComparison.Ordinal));

    /// <summary>Nodes whose tag <see cref="For"/> derives from their fields (the cases of its switch).</summary>
    private static readonly HashSet<string> Derived = new(StringComparer.Ordinal)
    {
        "SelectStmt", "CreateTableAsStmt", "DropStmt", "DefineStmt", "AlterTableStmt", "AlterTableMoveAllStmt",
        "AlterObjectSchemaStmt", "AlterOwnerStmt", "AlterObjectDependsStmt", "RenameStmt", "AlterFunctionStmt",
        "CreateFunctionStmt", "GrantStmt", "GrantRoleStmt", "VariableSetStmt", "TransactionStmt", "DiscardStmt",
        "DeallocateStmt", "FetchStmt", "ClosePortalStmt", "VacuumStmt",
    };

    /// <summary>True when the node's tag comes from the table or a field, not from the node-name fallback.</summary>
    internal static bool IsKnown(string node) => Fixed.ContainsKey(node) || Derived.Contains(node);

    /// <summary>The command tag of a statement node with its fields.</summary>
    public static string For(string node, JsonElement body)
    {
        if (Fixed.TryGetValue(node, out var tag))
        {
            return tag;
        }

        return node switch
        {
            // SELECT INTO is a SelectStmt with an intoClause in the raw tree.
            "SelectStmt" => body.TryGetProperty("intoClause", out _) ? "SELECT INTO" : "SELECT",
            "CreateTableAsStmt" => Enum(body, "objtype") == "OBJECT_MATVIEW" ? "CREATE MATERIALIZED VIEW"
                : Flag(body, "is_select_into") ? "SELECT INTO" : "CREATE TABLE AS",

            // Object-typed CREATE / ALTER / DROP families.
            "DropStmt" => "DROP " + Words(Enum(body, "removeType")),
            "DefineStmt" => "CREATE " + Words(Enum(body, "kind")),
            "AlterTableStmt" => "ALTER " + Words(Enum(body, "objtype")),
            "AlterTableMoveAllStmt" => "ALTER " + Words(Enum(body, "objtype")),
            "AlterObjectSchemaStmt" or "AlterOwnerStmt" or "AlterObjectDependsStmt" => "ALTER " + Words(Enum(body, "objectType")),
            "RenameStmt" => "ALTER " + Words(Enum(body, "renameType") is "OBJECT_COLUMN" or "OBJECT_ATTRIBUTE"
                ? Enum(body, "relationType") : Enum(body, "renameType")),
            "AlterFunctionStmt" => "ALTER " + Words(Enum(body, "objtype")),
            "CreateFunctionStmt" => Flag(body, "is_procedure") ? "CREATE PROCEDURE" : "CREATE FUNCTION",

            // Privileges.
            "GrantStmt" or "GrantRoleStmt" => Flag(body, "is_grant") ? "GRANT" : "REVOKE",

            // Session and transactions.
            "VariableSetStmt" => Enum(body, "kind") is "VAR_RESET" or "VAR_RESET_ALL" ? "RESET" : "SET",
            "TransactionStmt" => TransactionTag(Enum(body, "kind")),
            "DiscardStmt" => Enum(body, "target") switch
            {
                "DISCARD_PLANS" => "DISCARD PLANS",
                "DISCARD_SEQUENCES" => "DISCARD SEQUENCES",
                "DISCARD_TEMP" => "DISCARD TEMP",
                _ => "DISCARD ALL",
            },
            "DeallocateStmt" => body.TryGetProperty("name", out _) ? "DEALLOCATE" : "DEALLOCATE ALL",
            "FetchStmt" => Flag(body, "ismove") ? "MOVE" : "FETCH",
            "ClosePortalStmt" => body.TryGetProperty("portalname", out _) ? "CLOSE CURSOR" : "CLOSE CURSOR ALL",

            // Maintenance.
            "VacuumStmt" => Flag(body, "is_vacuumcmd") ? "VACUUM" : "ANALYZE",

            _ => FromNodeName(node),
        };
    }

    private static string TransactionTag(string? kind) => kind switch
    {
        "TRANS_STMT_BEGIN" => "BEGIN",
        "TRANS_STMT_START" => "START TRANSACTION",
        "TRANS_STMT_COMMIT" => "COMMIT",
        "TRANS_STMT_ROLLBACK" or "TRANS_STMT_ROLLBACK_TO" => "ROLLBACK",
        "TRANS_STMT_SAVEPOINT" => "SAVEPOINT",
        "TRANS_STMT_RELEASE" => "RELEASE",
        "TRANS_STMT_PREPARE" => "PREPARE TRANSACTION",
        "TRANS_STMT_COMMIT_PREPARED" => "COMMIT PREPARED",
        "TRANS_STMT_ROLLBACK_PREPARED" => "ROLLBACK PREPARED",
        _ => "TRANSACTION",
    };

    /// <summary>Object words for an ObjectType; an unknown value keeps its name so it stays visible.</summary>
    private static string Words(string? objectType) =>
        objectType is not null && ObjectWords.TryGetValue(objectType, out var words)
            ? words
            : (objectType ?? "OBJECT").Replace("OBJECT_", string.Empty, StringComparison.Ordinal).Replace('_', ' ');

    /// <summary>"AlterFooBarStmt" -> "ALTER FOO BAR": the never-throw fallback for nodes not in the table.</summary>
    internal static string FromNodeName(string node)
    {
        var name = node.EndsWith("Stmt", StringComparison.Ordinal) ? node[..^4] : node;
        var builder = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]) && !char.IsUpper(name[i - 1]))
            {
                builder.Append(' ');
            }

            builder.Append(char.ToUpperInvariant(name[i]));
        }

        return builder.Length == 0 ? "UNKNOWN" : builder.ToString();
    }

    internal static string? Enum(JsonElement body, string field) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    /// <summary>libpg_query's JSON omits false booleans, so absence means false.</summary>
    internal static bool Flag(JsonElement body, string field) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.True;
}

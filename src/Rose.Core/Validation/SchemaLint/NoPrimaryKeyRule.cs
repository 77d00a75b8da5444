namespace Rose.Core.Validation.SchemaLint;

/// <summary>
/// A table without a primary key: rows cannot be addressed one by one, duplicates creep in, and
/// logical replication cannot replicate its UPDATEs and DELETEs.
/// </summary>
public sealed class NoPrimaryKeyRule : ISchemaLintRule
{
    public string Name => "no_primary_key";
    public string Title => "Table without a primary key";
    public string Severity => "error";
    public string Description => "Rows cannot be addressed individually and logical replication of UPDATE/DELETE fails.";

    public string Sql => $"""
        SELECT format('%I.%I', n.nspname, c.relname),
               'table has no primary key',
               format('ALTER TABLE %I.%I ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;', n.nspname, c.relname)
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND {SchemaLintSql.UserSchema}
          AND c.relname <> 'rose_schema_history'
          AND NOT EXISTS (SELECT 1 FROM pg_constraint p WHERE p.conrelid = c.oid AND p.contype = 'p')
          AND {SchemaLintSql.NotFromExtension("c.oid", "pg_class")}
        ORDER BY n.nspname, c.relname, c.oid
        """;
}

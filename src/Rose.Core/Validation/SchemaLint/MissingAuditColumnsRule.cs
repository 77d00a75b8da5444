namespace Rose.Core.Validation.SchemaLint;

/// <summary>
/// A table without created_at or updated_at: nobody can tell when a row appeared or last
/// changed, which every incident review and incremental load needs.
/// </summary>
public sealed class MissingAuditColumnsRule : ISchemaLintRule
{
    public string Name => "missing_timestamps";
    public string Title => "Missing created_at / updated_at";
    public string Severity => "info";
    public string Description => "Without them nobody can tell when a row appeared or last changed.";

    public string Sql => $"""
        SELECT format('%I.%I', n.nspname, c.relname),
               'no ' || m.name || ' column',
               format('ALTER TABLE %I.%I ADD COLUMN %I timestamptz NOT NULL DEFAULT now();', n.nspname, c.relname, m.name)
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        CROSS JOIN (VALUES (1, 'created_at'), (2, 'updated_at')) AS m(ord, name)
        WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND {SchemaLintSql.UserSchema}
          AND c.relname <> 'rose_schema_history'
          AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = m.name AND NOT a.attisdropped)
          AND {SchemaLintSql.NotFromExtension("c.oid", "pg_class")}
        ORDER BY n.nspname, c.relname, m.ord
        """;
}

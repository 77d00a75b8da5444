namespace Rose.Core.Validation.SchemaLint;

/// <summary>
/// Two indexes with the same columns, operator classes, expressions and predicate: the second one
/// doubles write cost and disk for nothing.
/// </summary>
public sealed class DuplicateIndexRule : ISchemaLintRule
{
    public string Name => "duplicate_index";
    public string Title => "Duplicate index";
    public string Severity => "warn";
    public string Description => "Identical indexes cost writes, vacuum and disk and never help a query.";

    // The one to drop is the later one, unless only the later one enforces uniqueness.
    public string Sql => $"""
        SELECT format('%I.%I', n.nspname, d.relname),
               format('same definition as %I on %I.%I', k.relname, n.nspname, t.relname),
               format('DROP INDEX CONCURRENTLY %I.%I;', n.nspname, d.relname)
        FROM pg_index a
        JOIN pg_index b ON b.indrelid = a.indrelid AND b.indexrelid > a.indexrelid
             AND b.indkey::text = a.indkey::text AND b.indclass::text = a.indclass::text
             AND coalesce(pg_get_expr(b.indexprs, b.indrelid), '') = coalesce(pg_get_expr(a.indexprs, a.indrelid), '')
             AND coalesce(pg_get_expr(b.indpred, b.indrelid), '') = coalesce(pg_get_expr(a.indpred, a.indrelid), '')
        JOIN pg_class t ON t.oid = a.indrelid
        JOIN pg_namespace n ON n.oid = t.relnamespace
        JOIN pg_class d ON d.oid = CASE WHEN b.indisunique AND NOT a.indisunique THEN a.indexrelid ELSE b.indexrelid END
        JOIN pg_class k ON k.oid = CASE WHEN b.indisunique AND NOT a.indisunique THEN b.indexrelid ELSE a.indexrelid END
        WHERE {SchemaLintSql.UserSchema}
        ORDER BY n.nspname, t.relname, d.relname, d.oid
        """;
}

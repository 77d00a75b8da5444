namespace Rose.Core.Validation.SchemaLint;

/// <summary>
/// A foreign key whose columns do not lead any index: every DELETE or key UPDATE on the parent
/// scans the child table, and joins from the parent cannot use an index.
/// </summary>
public sealed class UnindexedForeignKeyRule : ISchemaLintRule
{
    public string Name => "unindexed_foreign_key";
    public string Title => "Foreign key without an index";
    public string Severity => "warn";
    public string Description => "Deletes on the parent table and joins from it scan the whole child table.";

    public string Sql => $"""
        SELECT format('%I.%I (%s)', n.nspname, c.relname, k.cols),
               format('foreign key %I has no index whose leading columns are (%s)', con.conname, k.cols),
               format('CREATE INDEX CONCURRENTLY %I ON %I.%I (%s);', left(c.relname || '_' || k.names || '_idx', 63), n.nspname, c.relname, k.cols)
        FROM pg_constraint con
        JOIN pg_class c ON c.oid = con.conrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        CROSS JOIN LATERAL (
            SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY u.ord) AS cols, string_agg(a.attname, '_' ORDER BY u.ord) AS names
            FROM unnest(con.conkey) WITH ORDINALITY AS u(attnum, ord)
            JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = u.attnum) AS k
        WHERE con.contype = 'f' AND {SchemaLintSql.UserSchema}
          AND NOT EXISTS (
              SELECT 1 FROM pg_index i
              WHERE i.indrelid = con.conrelid
                AND (string_to_array(i.indkey::text, ' ')::int2[])[1:cardinality(con.conkey)] @> con.conkey
                AND (string_to_array(i.indkey::text, ' ')::int2[])[1:cardinality(con.conkey)] <@ con.conkey)
        ORDER BY n.nspname, c.relname, con.conname, con.oid
        """;
}

namespace Rose.Core.Validation.SchemaLint;

/// <summary>
/// An index left invalid by a failed CREATE INDEX CONCURRENTLY: it is maintained on every write
/// but never used by a query, and a unique one may still reject rows.
/// </summary>
public sealed class InvalidIndexRule : ISchemaLintRule
{
    public string Name => "invalid_index";
    public string Title => "Invalid index";
    public string Severity => "error";
    public string Description => "Costs every write and serves no query; usually a failed CREATE INDEX CONCURRENTLY.";

    public string Sql => $"""
        SELECT format('%I.%I', n.nspname, ic.relname),
               format('index on %I.%I is not valid', n.nspname, t.relname),
               format('REINDEX INDEX CONCURRENTLY %I.%I;  -- or: DROP INDEX CONCURRENTLY %I.%I;', n.nspname, ic.relname, n.nspname, ic.relname)
        FROM pg_index i
        JOIN pg_class ic ON ic.oid = i.indexrelid
        JOIN pg_class t ON t.oid = i.indrelid
        JOIN pg_namespace n ON n.oid = ic.relnamespace
        WHERE NOT i.indisvalid AND {SchemaLintSql.UserSchema}
        ORDER BY n.nspname, ic.relname, ic.oid
        """;
}

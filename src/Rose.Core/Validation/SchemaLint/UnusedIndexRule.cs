namespace Rose.Core.Validation.SchemaLint;

/// <summary>
/// An index never scanned since statistics were last reset. Unique and primary-key indexes are
/// left out: they enforce a rule even when no query reads them.
/// </summary>
public sealed class UnusedIndexRule : ISchemaLintRule
{
    public string Name => "unused_index";
    public string Title => "Unused index";
    public string Severity => "info";
    public string Description => "Never scanned since statistics were reset; check on the primary and every replica before dropping.";

    public string Sql => $"""
        SELECT format('%I.%I', n.nspname, s.indexrelname),
               format('on %I.%I: 0 scans since statistics were reset, %s on disk', n.nspname, s.relname, pg_size_pretty(pg_relation_size(s.indexrelid))),
               format('DROP INDEX CONCURRENTLY %I.%I;', n.nspname, s.indexrelname)
        FROM pg_stat_user_indexes s
        JOIN pg_index i ON i.indexrelid = s.indexrelid
        JOIN pg_namespace n ON n.nspname = s.schemaname
        WHERE s.idx_scan = 0 AND NOT i.indisunique AND NOT i.indisprimary AND {SchemaLintSql.UserSchema}
          AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = s.indexrelid)
        ORDER BY n.nspname, s.relname, s.indexrelname, s.indexrelid
        """;
}

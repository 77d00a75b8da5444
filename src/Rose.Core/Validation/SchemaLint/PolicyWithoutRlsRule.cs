namespace Rose.Core.Validation.SchemaLint;

/// <summary>
/// Row-level security policies exist on a table whose RLS is off: the policies are silently
/// ignored, so every role with table privileges sees every row.
/// </summary>
public sealed class PolicyWithoutRlsRule : ISchemaLintRule
{
    public string Name => "policy_exists_rls_disabled";
    public string Title => "Policies with row-level security off";
    public string Severity => "error";
    public string Description => "The table's policies are ignored until row-level security is enabled.";

    public string Sql => $"""
        SELECT format('%I.%I', n.nspname, c.relname),
               format('%s polic%s defined (%s) but row-level security is disabled', count(*), CASE WHEN count(*) = 1 THEN 'y' ELSE 'ies' END,
                      string_agg(quote_ident(p.polname), ', ' ORDER BY p.polname)),
               format('ALTER TABLE %I.%I ENABLE ROW LEVEL SECURITY;', n.nspname, c.relname)
        FROM pg_policy p
        JOIN pg_class c ON c.oid = p.polrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE NOT c.relrowsecurity AND {SchemaLintSql.UserSchema}
        GROUP BY n.nspname, c.relname, c.oid
        ORDER BY n.nspname, c.relname, c.oid
        """;
}

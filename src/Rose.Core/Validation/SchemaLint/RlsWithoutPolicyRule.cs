namespace Rose.Core.Validation.SchemaLint;

/// <summary>
/// Row-level security is on but no policy exists: every role but the owner (and BYPASSRLS roles)
/// sees no rows at all, which is rarely what was meant.
/// </summary>
public sealed class RlsWithoutPolicyRule : ISchemaLintRule
{
    public string Name => "rls_enabled_no_policy";
    public string Title => "Row-level security without policies";
    public string Severity => "info";
    public string Description => "Non-owner roles see no rows: add a policy or turn row-level security off.";

    public string Sql => $"""
        SELECT format('%I.%I', n.nspname, c.relname),
               'row-level security is enabled but the table has no policy',
               format('CREATE POLICY %I ON %I.%I FOR SELECT USING (true);  -- narrow USING to what each role may see', c.relname || '_read', n.nspname, c.relname)
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND c.relrowsecurity AND {SchemaLintSql.UserSchema}
          AND NOT EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid)
        ORDER BY n.nspname, c.relname, c.oid
        """;
}

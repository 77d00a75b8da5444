namespace Rose.Core.Validation.SchemaLint;

/// <summary>
/// A function without a fixed search_path resolves names through the caller's path: a caller who
/// can create objects earlier in it can hijack the function (dangerous for SECURITY DEFINER).
/// </summary>
public sealed class MutableSearchPathRule : ISchemaLintRule
{
    public string Name => "function_search_path_mutable";
    public string Title => "Function with a mutable search_path";
    public string Severity => "warn";
    public string Description => "Names inside it resolve through the caller's search_path and can be hijacked.";

    public string Sql => $"""
        SELECT format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)),
               CASE WHEN p.prosecdef THEN 'SECURITY DEFINER function without a fixed search_path'
                    ELSE 'function without a fixed search_path' END,
               format('ALTER FUNCTION %I.%I(%s) SET search_path = pg_catalog, %I;', n.nspname, p.proname,
                      pg_get_function_identity_arguments(p.oid), n.nspname)
        FROM pg_proc p
        JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE p.prokind IN ('f', 'p') AND {SchemaLintSql.UserSchema}
          AND NOT EXISTS (SELECT 1 FROM unnest(coalesce(p.proconfig, ARRAY[]::text[])) AS cfg WHERE cfg LIKE 'search\_path=%')
          AND {SchemaLintSql.NotFromExtension("p.oid", "pg_proc")}
        ORDER BY n.nspname, p.proname, p.oid
        """;
}

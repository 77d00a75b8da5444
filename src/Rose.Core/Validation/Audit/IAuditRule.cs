namespace Rose.Core.Validation.Audit;

/// <summary>
/// One schema-audit rule (in the spirit of Supabase splinter): a catalog query whose rows are the
/// findings, as three text columns: the object, what is wrong, and SQL that fixes it.
/// </summary>
public interface IAuditRule
{
    /// <summary>Stable snake_case name, stored with each finding.</summary>
    string Name { get; }

    string Title { get; }

    /// <summary>info, warn or error.</summary>
    string Severity { get; }

    /// <summary>Why it matters, in a sentence, for the page.</summary>
    string Description { get; }

    /// <summary>SELECT object_name, detail, remediation ... ORDER BY with a unique tie-breaker.</summary>
    string Sql { get; }
}

/// <summary>Fragments the rules share.</summary>
internal static class AuditSql
{
    /// <summary>Schemas that belong to PostgreSQL itself (n is pg_namespace).</summary>
    public const string UserSchema = "n.nspname NOT IN ('pg_catalog', 'information_schema', 'rose_backup') AND n.nspname !~ '^pg_'";

    /// <summary>Objects created by an extension are the extension's business (o is the object's oid).</summary>
    public static string NotFromExtension(string oid, string catalog) =>
        $"NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '{catalog}'::regclass AND d.objid = {oid} AND d.deptype = 'e')";
}

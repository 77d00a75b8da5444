namespace Rose.Core.Validation.SchemaLint;

/// <summary>Fragments the rules share.</summary>
internal static class SchemaLintSql
{
    /// <summary>Schemas that belong to PostgreSQL itself (n is pg_namespace).</summary>
    public const string UserSchema = "n.nspname NOT IN ('pg_catalog', 'information_schema', 'rose_backup') AND n.nspname !~ '^pg_'";

    /// <summary>Objects created by an extension are the extension's business (o is the object's oid).</summary>
    public static string NotFromExtension(string oid, string catalog) =>
        $"NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '{catalog}'::regclass AND d.objid = {oid} AND d.deptype = 'e')";
}

namespace Rose.Core.Validation.SchemaLint;

/// <summary>
/// One schema lint rule (in the spirit of Supabase splinter): a catalog query whose rows are the
/// findings, as three text columns: the object, what is wrong, and SQL that fixes it.
/// </summary>
public interface ISchemaLintRule
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

namespace Rose.Core.Validation.SchemaLint;

/// <summary>The one place the schema lint rules are registered, in the order the page lists them.</summary>
public static class SchemaLintRules
{
    public static readonly IReadOnlyList<ISchemaLintRule> All =
    [
        new NoPrimaryKeyRule(),
        new UnindexedForeignKeyRule(),
        new InvalidIndexRule(),
        new DuplicateIndexRule(),
        new UnusedIndexRule(),
        new PolicyWithoutRlsRule(),
        new RlsWithoutPolicyRule(),
        new MutableSearchPathRule(),
        new SequenceExhaustionRule(),
        new TimestampWithoutTimeZoneRule(),
        new MissingAuditColumnsRule(),
    ];

    public static ISchemaLintRule? Find(string name) => All.FirstOrDefault(r => r.Name == name);
}

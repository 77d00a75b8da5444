namespace Rose.Core.Validation.Audit;

/// <summary>The one place the schema-audit rules are registered, in the order the page lists them.</summary>
public static class AuditRules
{
    public static readonly IReadOnlyList<IAuditRule> All =
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

    public static IAuditRule? Find(string name) => All.FirstOrDefault(r => r.Name == name);
}

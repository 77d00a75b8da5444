namespace Rose.Core.Migrations.Lint;

/// <summary>ALTER TYPE ... ADD VALUE without BEFORE/AFTER appends, which silently changes how the enum sorts relative to intent.</summary>
public sealed class RequireEnumValueOrderingRule() : StatementKindRule("AlterEnumStmt",
    "require-enum-value-ordering",
    LintSeverity.Info,
    "ALTER TYPE ... ADD VALUE without BEFORE or AFTER: the value's sort position is left to chance.",
    ["require-enum-value-ordering"])
{
    protected override bool Applies(LintStatement s) =>
        LintTree.Str(s.Body, "newVal") is not null
        && LintTree.Str(s.Body, "oldVal") is null && LintTree.Str(s.Body, "newValNeighbor") is null;

    protected override LintFinding? Flag(LintStatement s)
    {
        var type = LintTree.JoinNames(LintTree.Prop(s.Body, "typeName"));
        return Finding(s, $"Value '{LintTree.Str(s.Body, "newVal")}' is appended to enum {type}; enums sort by position, not by name.",
            "Say where it goes: ADD VALUE '...' BEFORE|AFTER '...'.", table: type);
    }
}

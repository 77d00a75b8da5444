namespace Rose.Core.Validation.Checks;

/// <summary>No NULLs in columns the application treats as required, whether or not the schema says so.</summary>
public sealed class NotNullCheck : RowConditionCheck
{
    public override string Kind => CheckKinds.NotNull;

    protected override string FailingRowsText => "rows with NULL";

    protected override string Condition(CheckDefinition check) =>
        string.Join(" OR ", CheckSql.RequireColumns(check).Select(c => CheckSql.Id(c) + " IS NULL"));
}

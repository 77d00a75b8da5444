namespace Rose.Core.Validation.Checks;

/// <summary>
/// Every non-NULL value is one of a list. Compared as text so one check works for enums, text and
/// numbers alike; NULLs are the NOT NULL check's business.
/// </summary>
public sealed class AcceptedValuesCheck : RowConditionCheck
{
    public override string Kind => CheckKinds.AcceptedValues;

    protected override string FailingRowsText => "rows with a value outside the accepted list";

    protected override string Condition(CheckDefinition check)
    {
        var column = CheckSql.Id(CheckSql.RequireColumns(check, 1)[0]);
        if (check.Values.Count == 0)
        {
            throw new ValidationException($"accepted_values on {check.QualifiedTable} needs at least one value.");
        }

        return $"{column} IS NOT NULL AND {column}::text NOT IN ({string.Join(", ", check.Values.Select(CheckSql.Literal))})";
    }
}

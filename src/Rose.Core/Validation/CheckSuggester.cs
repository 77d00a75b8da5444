using System.Text.RegularExpressions;

namespace Rose.Core.Validation;

/// <summary>
/// Proposes data checks from the catalog: declared constraints (NOT NULL, unique keys, foreign
/// keys including NOT VALID ones, CHECK ... IN lists), timestamp columns for freshness, and
/// heuristics for what the schema forgot to declare (an email column that should be unique, a
/// name column that should be required, a *_id column that looks like a soft foreign key).
/// </summary>
public static partial class CheckSuggester
{
    private static readonly HashSet<string> RequiredNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "name", "full_name", "first_name", "last_name", "title", "email", "username", "user_name", "display_name",
    };

    private static readonly HashSet<string> TimestampTypes = new(StringComparer.Ordinal)
    {
        "timestamp with time zone", "timestamp without time zone", "date",
    };

    [GeneratedRegex(@"^CHECK \(\(?\(?(?<col>[a-z_][a-z0-9_]*|""[^""]+"")\)?(?:::text)? = ANY \(\(?ARRAY\[(?<vals>.+)\]\)?(?:::text\[\])?\)\)\)?$")]
    private static partial Regex CheckInList();

    [GeneratedRegex(@"'((?:[^']|'')*)'")]
    private static partial Regex QuotedValue();

    public static IReadOnlyList<SuggestedCheck> Suggest(TargetCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var list = new List<SuggestedCheck>();
        foreach (var table in catalog.Tables)
        {
            var columns = catalog.ColumnsOf(table.Schema, table.Name).ToList();
            var uniques = catalog.UniqueKeys.Where(u => u.Schema == table.Schema && u.Table == table.Name).ToList();
            var fks = catalog.ForeignKeys.Where(f => f.Schema == table.Schema && f.Table == table.Name).ToList();
            CheckDefinition New(string kind, IReadOnlyList<string> cols) => new() { Kind = kind, Schema = table.Schema, Table = table.Name, Columns = cols };

            list.Add(new(New(CheckKinds.RowCount, []) with { Tolerance = 0.5 }, "row count against the previous run, 50 % tolerance"));

            var required = columns.Where(c => c.NotNull).Select(c => c.Name).ToList();
            if (required.Count > 0)
            {
                list.Add(new(New(CheckKinds.NotNull, required), "columns declared NOT NULL"));
            }

            foreach (var c in columns.Where(c => !c.NotNull && RequiredNames.Contains(c.Name)))
            {
                list.Add(new(New(CheckKinds.NotNull, [c.Name]), $"'{c.Name}' looks required but the column allows NULL"));
            }

            foreach (var u in uniques)
            {
                list.Add(new(New(CheckKinds.Duplicates, u.Columns), $"{(u.Primary ? "primary key" : "unique index")} {u.Name}"));
            }

            foreach (var c in columns.Where(c => c.Name.Contains("email", StringComparison.OrdinalIgnoreCase)
                         && !uniques.Any(u => u.Columns.Count == 1 && u.Columns[0] == c.Name)))
            {
                list.Add(new(New(CheckKinds.Duplicates, [c.Name]), $"'{c.Name}' looks like it should be unique but no unique index says so"));
            }

            foreach (var fk in fks)
            {
                list.Add(new(New(CheckKinds.Orphans, fk.Columns) with { RefSchema = fk.RefSchema, RefTable = fk.RefTable, RefColumns = fk.RefColumns },
                    fk.Validated ? $"foreign key {fk.Name}" : $"foreign key {fk.Name} is NOT VALID: existing rows were never checked"));
            }

            foreach (var c in columns.Where(c => c.Name.EndsWith("_id", StringComparison.Ordinal) && !fks.Any(f => f.Columns.Contains(c.Name))))
            {
                if (SoftParent(catalog, table.Schema, c.Name[..^3]) is { } parent)
                {
                    list.Add(new(New(CheckKinds.Orphans, [c.Name]) with { RefSchema = parent.Schema, RefTable = parent.Name, RefColumns = ["id"] },
                        $"'{c.Name}' looks like a soft foreign key to {parent.Name}.id (no constraint)"));
                }
            }

            foreach (var check in catalog.Checks.Where(k => k.Schema == table.Schema && k.Table == table.Name))
            {
                if (ParseInList(check.Definition) is { } parsed && columns.Any(c => c.Name == parsed.Column))
                {
                    list.Add(new(New(CheckKinds.AcceptedValues, [parsed.Column]) with { Values = parsed.Values },
                        $"check constraint {check.Name}{(check.Validated ? string.Empty : " (NOT VALID)")}"));
                }
            }

            foreach (var c in columns.Where(c => TimestampTypes.Contains(c.Type)))
            {
                list.Add(new(New(CheckKinds.Freshness, [c.Name]) with { MaxAgeMinutes = FreshnessDefault, Severity = CheckStatus.Warn },
                    $"timestamp column '{c.Name}': warn when nothing newer than a day arrived"));
            }
        }

        // One suggestion per key: a NOT VALID foreign key and a heuristic may propose the same check.
        return list.GroupBy(s => s.Definition.Key, StringComparer.Ordinal).Select(g => g.First()).ToList();
    }

    private const double FreshnessDefault = 24 * 60;

    /// <summary>customer_id -> customers, customer, or a table of that name with an id column.</summary>
    private static CatalogTable? SoftParent(TargetCatalog catalog, string schema, string stem)
    {
        string[] names = [stem + "s", stem + "es", stem, stem.EndsWith('y') ? stem[..^1] + "ies" : stem];
        return names.Select(n => catalog.Tables.FirstOrDefault(t => t.Schema == schema && t.Name == n))
            .FirstOrDefault(t => t is not null && catalog.ColumnsOf(t.Schema, t.Name).Any(c => c.Name == "id"));
    }

    /// <summary>Reads "CHECK ((status = ANY (ARRAY['a'::text, 'b'::text])))" as pg_get_constraintdef prints it.</summary>
    internal static (string Column, IReadOnlyList<string> Values)? ParseInList(string definition)
    {
        var match = CheckInList().Match(definition.Replace("NOT VALID", string.Empty, StringComparison.Ordinal).Trim());
        if (!match.Success)
        {
            return null;
        }

        var column = match.Groups["col"].Value;
        if (column.StartsWith('"'))
        {
            column = column[1..^1].Replace("\"\"", "\"", StringComparison.Ordinal);
        }

        var values = QuotedValue().Matches(match.Groups["vals"].Value).Select(m => m.Groups[1].Value.Replace("''", "'", StringComparison.Ordinal)).ToList();
        return values.Count == 0 ? null : (column, values);
    }
}

namespace Rose.Core.Validation.Checks;

/// <summary>The one place the data check kinds are registered.</summary>
public static class DataCheckKinds
{
    public static readonly IReadOnlyList<IDataCheckKind> All =
    [
        new RowCountCheck(),
        new NotNullCheck(),
        new AcceptedValuesCheck(),
        new FreshnessCheck(),
        new DuplicatesCheck(),
        new OrphansCheck(),
        new CustomSqlCheck(),
    ];

    private static readonly Dictionary<string, IDataCheckKind> ByName = All.ToDictionary(k => k.Kind, StringComparer.Ordinal);

    public static IDataCheckKind Get(string kind) =>
        ByName.TryGetValue(kind, out var found) ? found : throw new ValidationException($"Unknown check kind '{kind}'.");

    public static bool Exists(string kind) => ByName.ContainsKey(kind);
}

namespace Rose.Core.Validation;

/// <summary>
/// What the first validation run of a database adopts on its own: every suggestion of
/// <see cref="CheckSuggester"/> except freshness, so a new user's first run already finds the
/// duplicates, NULLs and orphans the catalog points at, without accepting suggestions by hand.
/// Freshness stays a suggestion: how old is too old is a judgment about the data's arrival rate.
/// "First" means the database has no stored check at all, accepted or switched off: once anyone has
/// chosen, their choice stands and nothing is adopted again.
/// </summary>
public static class FirstRunChecks
{
    /// <summary>The suggestions a first run adopts.</summary>
    public static IReadOnlyList<CheckDefinition> Select(IEnumerable<SuggestedCheck> suggestions)
    {
        ArgumentNullException.ThrowIfNull(suggestions);
        return [.. suggestions.Select(s => s.Definition).Where(d => d.Kind != CheckKinds.Freshness)];
    }
}

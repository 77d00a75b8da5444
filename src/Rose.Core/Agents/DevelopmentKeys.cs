namespace Rose.Core.Agents;

/// <summary>
/// Keys published in this repository for local runs (scripts/run.sh): anyone can read them, so they
/// only ever work in the Development environment.
/// </summary>
public static class DevelopmentKeys
{
    /// <summary>The published family: rose_dev_key_change_me_...</summary>
    public const string Family = "rose_dev_key_change_me_";

    /// <summary>The stored display prefix of every key of the family (the first 12 characters), to find them by.</summary>
    public static readonly string StoredPrefix = ApiKeys.DisplayPrefix(Family);

    public static bool IsKnown(string? key) => key is not null && key.StartsWith(Family, StringComparison.Ordinal);
}

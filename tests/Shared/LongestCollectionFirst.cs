using Xunit.Abstractions;

namespace Rose.Tests.Shared;

/// <summary>
/// Starts the test collections with the most test cases first. xunit runs a collection's classes one after
/// another and only two collections at a time here (one per core); its default order is by a hash of the
/// name, which left a project's big shared collection (E2E's "console": one console process and one
/// Chromium for nine classes) to start after all the small ones, alone on one thread for its whole length
/// while the other thread had nothing left. Started first, it runs beside the small ones instead. Which
/// tests run, and with what, is unchanged: only the order in which collections start.
/// A project opts in with
/// <c>[assembly: TestCollectionOrderer("Rose.Tests.Shared.LongestCollectionFirst", "&lt;its assembly&gt;")]</c>.
/// </summary>
public sealed class LongestCollectionFirst : ITestCollectionOrderer
{
    private const string PerClassPrefix = "Test collection for ";

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections)
    {
        var collections = testCollections.ToList();
        if (collections.Count == 0)
        {
            return collections;
        }

        var cases = CountCasesByCollection(collections[0].TestAssembly.Assembly);
        // Ties (and collections not found) keep a stable, name-based order, so two runs start alike.
        return collections
            .OrderByDescending(c => cases.GetValueOrDefault(c.DisplayName))
            .ThenBy(c => c.DisplayName, StringComparer.Ordinal);
    }

    /// <summary>
    /// Test cases per collection display name: a class belongs to its [Collection] name or, without one,
    /// to its own per-class collection. A theory counts its inline rows (one when its data is computed).
    /// </summary>
    private static Dictionary<string, int> CountCasesByCollection(IAssemblyInfo assembly)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var type in assembly.GetTypes(includePrivateTypes: false))
        {
            if (type.IsAbstract)
            {
                continue;
            }

            var cases = type.GetMethods(includePrivateMethods: false)
                .Where(m => m.GetCustomAttributes(typeof(FactAttribute)).Any())
                .Sum(m => Math.Max(1, m.GetCustomAttributes(typeof(InlineDataAttribute)).Count()));
            if (cases == 0)
            {
                continue;
            }

            var named = type.GetCustomAttributes(typeof(CollectionAttribute)).FirstOrDefault();
            var name = named?.GetConstructorArguments().FirstOrDefault() as string ?? PerClassPrefix + type.Name;
            counts[name] = counts.GetValueOrDefault(name) + cases;
        }

        return counts;
    }
}

using System.Reflection;

namespace Rose.Core.Demo;

/// <summary>
/// The demo target's migrations folder: versioned, undo and repeatable files shipped inside the
/// assembly (Demo/Migrations/*.sql) and written under the data directory at start, so the
/// Migrations page has a plan, a dry run, an apply and a reversibility check to show out of the box.
/// The files are rewritten on every start: they belong to the product, like the demo seed.
/// </summary>
public static class DemoMigrationsFolder
{
    private const string ResourcePrefix = "Rose.Core.Demo.Migrations.";

    /// <summary>Writes the demo migrations to &lt;dataDir&gt;/demo-migrations and returns that folder.</summary>
    public static string Write(string dataDir)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDir);
        var folder = Path.Combine(Path.GetFullPath(dataDir), "demo-migrations");
        Directory.CreateDirectory(folder);
        foreach (var (name, sql) in Scripts())
        {
            var path = Path.Combine(folder, name);
            if (!File.Exists(path) || File.ReadAllText(path, Encoding.UTF8) != sql)
            {
                File.WriteAllText(path, sql, new UTF8Encoding(false));
            }
        }

        return folder;
    }

    /// <summary>The embedded demo migration files by file name, in name order.</summary>
    public static IReadOnlyList<(string Name, string Sql)> Scripts()
    {
        var assembly = typeof(DemoMigrationsFolder).Assembly;
        return [.. assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n => (n[ResourcePrefix.Length..], Read(assembly, n)))];
    }

    private static string Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}

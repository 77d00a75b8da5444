using System.Reflection;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Rose.Core.Control;

/// <summary>One versioned control-schema script (an embedded Rose.Core.Control.Schema.V&lt;NNN&gt;__&lt;name&gt;.sql).</summary>
public sealed record SchemaScript(int Version, string Name, string Sql)
{
    /// <summary>
    /// SHA-256 of the script with line endings normalised, so a checkout with CRLF endings does not
    /// read as drift while any real edit does.
    /// </summary>
    public string Checksum { get; } = Convert.ToHexStringLower(
        SHA256.HashData(Encoding.UTF8.GetBytes(Sql.Replace("\r\n", "\n", StringComparison.Ordinal))));
}

/// <summary>Reads the control-schema scripts embedded in Rose.Core.</summary>
internal static partial class SchemaScripts
{
    private const string Prefix = "Rose.Core.Control.Schema.";

    [GeneratedRegex(@"^V(?<version>\d+)__(?<name>[A-Za-z0-9_]+)\.sql$")]
    private static partial Regex FileName();

    private static readonly Lazy<IReadOnlyList<SchemaScript>> Embedded = new(() => Load(typeof(SchemaScripts).Assembly));

    /// <summary>All embedded scripts in version order.</summary>
    public static IReadOnlyList<SchemaScript> All => Embedded.Value;

    internal static IReadOnlyList<SchemaScript> Load(Assembly assembly)
    {
        var scripts = new List<SchemaScript>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            var file = resource[Prefix.Length..];
            var match = FileName().Match(file);
            if (!match.Success)
            {
                // A misnamed script would silently never run: refuse to start instead.
                throw new InvalidOperationException($"The control-schema script '{file}' is not named V<NNN>__<name>.sql.");
            }
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            scripts.Add(new SchemaScript(
                int.Parse(match.Groups["version"].Value, CultureInfo.InvariantCulture),
                match.Groups["name"].Value,
                reader.ReadToEnd()));
        }
        var duplicate = scripts.GroupBy(s => s.Version).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException(
                $"Control-schema version {duplicate.Key} is defined twice: {string.Join(", ", duplicate.Select(s => s.Name))}.");
        }
        return scripts.OrderBy(s => s.Version).ToList();
    }
}

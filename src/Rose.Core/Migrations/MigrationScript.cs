using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Rose.Core.Migrations;

/// <summary>Flyway's three kinds of script.</summary>
public enum MigrationType
{
    /// <summary>V&lt;version&gt;__desc.sql: applied once, in version order.</summary>
    Versioned,

    /// <summary>U&lt;version&gt;__desc.sql: undoes the versioned migration of the same version.</summary>
    Undo,

    /// <summary>R__desc.sql: applied after the versioned ones whenever its checksum changes.</summary>
    Repeatable,
}

/// <summary>One migration file (from a folder or the API), with its checksum.</summary>
public sealed record MigrationScript(MigrationType Type, MigrationVersion? Version, string Description, string FileName, string Sql)
{
    /// <summary>SHA-256 of the text with line endings and a BOM normalised, so a checkout on Windows does not drift.</summary>
    public string Checksum { get; } = ComputeChecksum(Sql);

    /// <summary>The history key: the version, or the description for repeatables.</summary>
    public string Key => Version?.Text ?? Description;

    public static string ComputeChecksum(string sql)
    {
        var normalised = sql.TrimStart('\uFEFF').Replace("\r\n", "\n", StringComparison.Ordinal);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalised)));
    }
}

/// <summary>Parses Flyway file names.</summary>
public static partial class MigrationNaming
{
    [GeneratedRegex(@"^(?<prefix>[VU])(?<version>[0-9]+(?:[._][0-9]+)*)__(?<desc>.+)\.sql$", RegexOptions.CultureInvariant)]
    private static partial Regex VersionedName();

    [GeneratedRegex(@"^R__(?<desc>.+)\.sql$", RegexOptions.CultureInvariant)]
    private static partial Regex RepeatableName();

    /// <summary>Builds a script from a file name and its text, or says why the name is not a migration.</summary>
    public static bool TryCreate(string fileName, string sql, out MigrationScript script, out string? error)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        script = null!;
        error = null;
        var name = Path.GetFileName(fileName);
        var versioned = VersionedName().Match(name);
        if (versioned.Success && MigrationVersion.TryParse(versioned.Groups["version"].Value, out var version))
        {
            var type = versioned.Groups["prefix"].Value == "V" ? MigrationType.Versioned : MigrationType.Undo;
            script = new MigrationScript(type, version, Describe(versioned.Groups["desc"].Value), name, sql ?? string.Empty);
            return true;
        }

        var repeatable = RepeatableName().Match(name);
        if (repeatable.Success)
        {
            script = new MigrationScript(MigrationType.Repeatable, null, Describe(repeatable.Groups["desc"].Value), name, sql ?? string.Empty);
            return true;
        }

        error = $"'{name}' is not a migration name: use V<version>__<description>.sql, U<version>__<description>.sql or R__<description>.sql.";
        return false;
    }

    private static string Describe(string raw) => raw.Replace('_', ' ').Trim();
}

using System.Numerics;

namespace Rose.Core.Migrations;

/// <summary>
/// A Flyway version such as "1", "1.1" or "2024.05.01": parts compared numerically one by one,
/// missing parts count as zero (so 1 = 1.0 and 1.10 > 1.9).
/// </summary>
public sealed class MigrationVersion : IComparable<MigrationVersion>, IEquatable<MigrationVersion>
{
    private readonly BigInteger[] parts;

    private MigrationVersion(string text, BigInteger[] parts)
    {
        Text = text;
        this.parts = parts;
    }

    /// <summary>The version as written, with '_' separators turned into '.' (Flyway allows both).</summary>
    public string Text { get; }

    public static bool TryParse(string? value, out MigrationVersion version)
    {
        version = null!;
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        var text = value.Replace('_', '.');
        var pieces = text.Split('.');
        var parsed = new BigInteger[pieces.Length];
        for (var i = 0; i < pieces.Length; i++)
        {
            if (pieces[i].Length == 0 || !pieces[i].All(char.IsAsciiDigit)
                || !BigInteger.TryParse(pieces[i], NumberStyles.None, CultureInfo.InvariantCulture, out parsed[i]))
            {
                return false;
            }
        }

        version = new MigrationVersion(text, parsed);
        return true;
    }

    public static MigrationVersion Parse(string value) =>
        TryParse(value, out var v) ? v : throw new FormatException($"'{value}' is not a migration version (digits separated by '.').");

    public int CompareTo(MigrationVersion? other)
    {
        if (other is null)
        {
            return 1;
        }

        var length = Math.Max(parts.Length, other.parts.Length);
        for (var i = 0; i < length; i++)
        {
            var a = i < parts.Length ? parts[i] : BigInteger.Zero;
            var b = i < other.parts.Length ? other.parts[i] : BigInteger.Zero;
            var c = a.CompareTo(b);
            if (c != 0)
            {
                return c;
            }
        }

        return 0;
    }

    public bool Equals(MigrationVersion? other) => other is not null && CompareTo(other) == 0;

    public override bool Equals(object? obj) => obj is MigrationVersion v && Equals(v);

    /// <summary>Trailing zero parts do not change the hash, matching equality (1 = 1.0).</summary>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        var last = parts.Length - 1;
        while (last > 0 && parts[last].IsZero)
        {
            last--;
        }

        for (var i = 0; i <= last; i++)
        {
            hash.Add(parts[i]);
        }

        return hash.ToHashCode();
    }

    public override string ToString() => Text;

    public static bool operator <(MigrationVersion a, MigrationVersion b) => a.CompareTo(b) < 0;

    public static bool operator >(MigrationVersion a, MigrationVersion b) => a.CompareTo(b) > 0;

    public static bool operator <=(MigrationVersion a, MigrationVersion b) => a.CompareTo(b) <= 0;

    public static bool operator >=(MigrationVersion a, MigrationVersion b) => a.CompareTo(b) >= 0;

    public static bool operator ==(MigrationVersion? a, MigrationVersion? b) => a is null ? b is null : a.Equals(b);

    public static bool operator !=(MigrationVersion? a, MigrationVersion? b) => !(a == b);
}

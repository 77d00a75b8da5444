using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Rose.Core.Sql.Classification;

/// <summary>
/// Property names of libpg_query's JSON trees as shared strings. The analyzer walks every property
/// of every node, and JsonProperty.Name allocates a new string each time: on a large batch that was
/// millions of short-lived strings, a large share of classification time (allocation and the GC's
/// clearing of memory). The names are libpg_query's node and field names, a few hundred in all, so
/// each is decoded once and then found again from its raw UTF-8 bytes. Names that are escaped,
/// not ASCII, or arrive when the table is full are decoded as before, so the result is always the
/// same string JsonProperty.Name would give. Thread-safe.
/// </summary>
internal static class PropertyNames
{
    /// <summary>Far above the node and field names libpg_query can print; a bound all the same.</summary>
    internal const int Capacity = 4096;

    private static readonly ConcurrentDictionary<string, string> Names = new(new AsciiComparer());

    private static readonly ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<byte>> ByBytes =
        Names.GetAlternateLookup<ReadOnlySpan<byte>>();

    /// <summary>The property's name, equal to <see cref="JsonProperty.Name"/>.</summary>
    public static string Of(JsonProperty property)
    {
        var raw = JsonMarshal.GetRawUtf8PropertyName(property);
        if (ByBytes.TryGetValue(raw, out var name))
        {
            return name;
        }

        name = property.Name;
        if (Names.Count < Capacity && IsPlainAscii(raw))
        {
            ByBytes.TryAdd(raw, name);
        }

        return name;
    }

    /// <summary>ASCII without escapes: the raw bytes are then exactly the decoded name's chars.</summary>
    internal static bool IsPlainAscii(ReadOnlySpan<byte> raw) => System.Text.Ascii.IsValid(raw) && !raw.Contains((byte)'\\');

    /// <summary>Compares strings with raw ASCII bytes; both hash the same char values the same way.</summary>
    private sealed class AsciiComparer : IEqualityComparer<string>, IAlternateEqualityComparer<ReadOnlySpan<byte>, string>
    {
        public bool Equals(string? x, string? y) => string.Equals(x, y, StringComparison.Ordinal);

        public int GetHashCode(string obj)
        {
            var hash = new HashCode();
            foreach (var c in obj)
            {
                hash.Add((int)c);
            }

            return hash.ToHashCode();
        }

        public bool Equals(ReadOnlySpan<byte> alternate, string other)
        {
            if (alternate.Length != other.Length)
            {
                return false;
            }

            for (var i = 0; i < alternate.Length; i++)
            {
                if (alternate[i] != other[i])
                {
                    return false;
                }
            }

            return true;
        }

        public int GetHashCode(ReadOnlySpan<byte> alternate)
        {
            var hash = new HashCode();
            foreach (var b in alternate)
            {
                hash.Add((int)b);
            }

            return hash.ToHashCode();
        }

        // Only reached through TryAdd, after IsPlainAscii: the bytes are the chars.
        public string Create(ReadOnlySpan<byte> alternate) => System.Text.Encoding.ASCII.GetString(alternate);
    }
}

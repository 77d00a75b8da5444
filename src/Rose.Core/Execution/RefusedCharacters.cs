namespace Rose.Core.Execution;

/// <summary>
/// Characters PostgreSQL refuses in any text it is sent or stores: NUL (U+0000), which text and the
/// wire protocol cannot carry, and unpaired UTF-16 surrogates, which have no UTF-8 form at all. Input
/// holding one is refused before it is classified; the audit row of the attempt stores it escaped.
/// </summary>
public static class RefusedCharacters
{
    /// <summary>The first refused character of a field, as a sentence naming its position; null when there is none.</summary>
    /// <param name="field">The field's name as the caller sent it (e.g. "sql", "database").</param>
    public static string? Describe(string field, string? text)
    {
        if (Find(text) is not { } index)
        {
            return null;
        }

        var (line, column) = LineAndColumn(text!, index);
        var what = text![index] == '\0'
            ? "a NUL character (U+0000)"
            : $"an unpaired UTF-16 surrogate (U+{(int)text[index]:X4})";
        return $"{field} holds {what} at offset {index} (line {line}, column {column}); PostgreSQL cannot store or run it. Remove it and send again.";
    }

    /// <summary>Offset of the first refused character, or null.</summary>
    public static int? Find(string? text)
    {
        if (text is null)
        {
            return null;
        }

        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0')
            {
                return i;
            }

            if (char.IsHighSurrogate(c))
            {
                if (i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                {
                    i++;
                    continue;
                }

                return i;
            }

            if (char.IsLowSurrogate(c))
            {
                return i;
            }
        }

        return null;
    }

    /// <summary>
    /// A form of the text PostgreSQL stores, for the audit row of a refused attempt: each refused
    /// character becomes \uXXXX and, so that the form reads back unambiguously, each backslash \\.
    /// Text without refused characters is returned as it is.
    /// </summary>
    public static string? Escape(string? text)
    {
        if (Find(text) is null)
        {
            return text;
        }

        var sb = new StringBuilder(text!.Length + 16);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\')
            {
                sb.Append(@"\\");
            }
            else if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                sb.Append(c).Append(text[++i]);
            }
            else if (c == '\0' || char.IsSurrogate(c))
            {
                sb.Append(@"\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    private static (int Line, int Column) LineAndColumn(string text, int index)
    {
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < index; i++)
        {
            if (text[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        return (line, index - lineStart + 1);
    }
}

namespace Rose.Core.Sql.Native;

/// <summary>
/// A batch as libpg_query sees it (NUL-terminated UTF-8) with the offset conversions Rose needs:
/// libpg_query reports statement ranges in UTF-8 bytes and error cursors in 1-based code points,
/// while .NET strings and the SqlStatement contract count UTF-16 chars.
/// </summary>
internal sealed class Utf8Text
{
    private readonly int[]? byteToChar;

    public Utf8Text(string text)
    {
        Text = text;
        var byteCount = Encoding.UTF8.GetByteCount(text);
        Bytes = new byte[byteCount + 1];
        Encoding.UTF8.GetBytes(text, 0, text.Length, Bytes, 0);
        ByteLength = byteCount;

        // Pure ASCII (the usual case): bytes and chars coincide, no table needed.
        if (byteCount != text.Length)
        {
            byteToChar = BuildByteToChar(text, byteCount);
        }
    }

    public string Text { get; }

    /// <summary>UTF-8 bytes followed by one NUL.</summary>
    public byte[] Bytes { get; }

    public int ByteLength { get; }

    /// <summary>The UTF-16 offset of the char that holds the given byte (end of text for ByteLength).</summary>
    public int CharOffset(int byteOffset)
    {
        byteOffset = Math.Clamp(byteOffset, 0, ByteLength);
        return byteToChar is null ? byteOffset : byteToChar[byteOffset];
    }

    /// <summary>
    /// Converts libpg_query's error cursor (1-based, in code points, relative to a piece that
    /// starts at UTF-16 offset pieceStart) to a UTF-16 offset into the batch.
    /// </summary>
    public int? CursorToCharOffset(int cursorPosition, int pieceStart, int pieceEnd)
    {
        if (cursorPosition <= 0)
        {
            return null;
        }

        var offset = pieceStart;
        for (var codePoints = cursorPosition - 1; codePoints > 0 && offset < pieceEnd; codePoints--)
        {
            offset += char.IsHighSurrogate(Text[offset]) && offset + 1 < Text.Length && char.IsLowSurrogate(Text[offset + 1]) ? 2 : 1;
        }

        return Math.Min(offset, pieceEnd);
    }

    private static int[] BuildByteToChar(string text, int byteCount)
    {
        var map = new int[byteCount + 1];
        var b = 0;
        for (var i = 0; i < text.Length;)
        {
            var c = text[i];
            int width, chars;
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                (width, chars) = (4, 2);
            }
            else
            {
                // A lone surrogate is encoded as U+FFFD (3 bytes), matching Encoding.UTF8.
                (width, chars) = (c < 0x80 ? 1 : c < 0x800 ? 2 : 3, 1);
            }

            for (var k = 0; k < width && b < byteCount; k++)
            {
                map[b++] = i;
            }

            i += chars;
        }

        map[byteCount] = text.Length;
        return map;
    }
}

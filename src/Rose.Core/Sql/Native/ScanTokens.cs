namespace Rose.Core.Sql.Native;

/// <summary>One lexer token: byte range, token code (pg_query.proto enum Token) and keyword kind.</summary>
internal readonly record struct ScanToken(int Start, int End, int Token, int KeywordKind);

/// <summary>
/// Decodes the protobuf ScanResult that pg_query_scan returns. Only the few fields Rose needs are
/// read (message ScanResult { repeated ScanToken tokens = 2 }, ScanToken { start = 1; end = 2;
/// token = 4; keyword_kind = 5 }); unknown fields are skipped per the wire format. The codes used
/// here (ASCII punctuation, SQL_COMMENT, C_COMMENT, SCONST...) are the same in libpg_query 15 and
/// 17's pg_query.proto; keyword codes differ between them, so keywords are matched on their text.
/// </summary>
internal static class ScanTokens
{
    public const int Semicolon = 59;      // ASCII_59
    public const int OpenParen = 40;      // ASCII_40
    public const int CloseParen = 41;     // ASCII_41
    public const int SqlComment = 275;    // SQL_COMMENT
    public const int CComment = 276;      // C_COMMENT
    public const int Ident = 258;         // IDENT (also "quoted identifiers")
    public const int UIdent = 259;        // UIDENT (U&"...")
    public const int FConst = 260;        // FCONST
    public const int SConst = 261;        // SCONST ('...', E'...', $tag$...$tag$)
    public const int USConst = 262;       // USCONST (U&'...')
    public const int BConst = 263;        // BCONST (B'...')
    public const int XConst = 264;        // XCONST (X'...')
    public const int Op = 265;            // Op
    public const int IConst = 266;        // ICONST
    public const int Param = 267;         // PARAM ($1)

    public static bool IsComment(int token) => token is SqlComment or CComment;

    /// <summary>
    /// What PostgreSQL 17's lexer skips between tokens (scan.l: space [ \t\n\r\f\v]). Used only to
    /// verify that nothing lies outside the lexer's tokens; never to find where a token ends.
    /// </summary>
    public static bool IsLexerWhitespace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or (byte)'\f' or (byte)'\v';

    /// <summary>
    /// The same tokens as <see cref="Decode"/>, into an array of the exact size: the top-level fields
    /// are counted first (a cheap walk over length prefixes), so a batch of a million tokens is not
    /// grown and copied several times over.
    /// </summary>
    public static ScanToken[] DecodeArray(ReadOnlySpan<byte> scanResult)
    {
        var count = 0;
        var pos = 0;
        while (pos < scanResult.Length)
        {
            var key = ReadVarint(scanResult, ref pos);
            if ((key >> 3) == 2 && (key & 7) == 2)
            {
                count++;
            }

            Skip(scanResult, ref pos, (int)(key & 7));
        }

        var tokens = new ScanToken[count];
        var next = 0;
        pos = 0;
        while (pos < scanResult.Length)
        {
            var key = ReadVarint(scanResult, ref pos);
            var wire = (int)(key & 7);
            if ((key >> 3) == 2 && wire == 2)
            {
                var length = checked((int)ReadVarint(scanResult, ref pos));
                tokens[next++] = DecodeToken(scanResult.Slice(pos, length));
                pos += length;
            }
            else
            {
                Skip(scanResult, ref pos, wire);
            }
        }

        return tokens;
    }

    public static List<ScanToken> Decode(ReadOnlySpan<byte> scanResult)
    {
        var tokens = new List<ScanToken>();
        var pos = 0;
        while (pos < scanResult.Length)
        {
            var key = ReadVarint(scanResult, ref pos);
            var field = (int)(key >> 3);
            var wire = (int)(key & 7);
            if (field == 2 && wire == 2)
            {
                var length = checked((int)ReadVarint(scanResult, ref pos));
                tokens.Add(DecodeToken(scanResult.Slice(pos, length)));
                pos += length;
            }
            else
            {
                Skip(scanResult, ref pos, wire);
            }
        }

        return tokens;
    }

    private static ScanToken DecodeToken(ReadOnlySpan<byte> message)
    {
        int start = 0, end = 0, token = 0, keyword = 0;
        var pos = 0;
        while (pos < message.Length)
        {
            var key = ReadVarint(message, ref pos);
            var field = (int)(key >> 3);
            var wire = (int)(key & 7);
            if (wire != 0)
            {
                Skip(message, ref pos, wire);
                continue;
            }

            var value = (int)ReadVarint(message, ref pos);
            switch (field)
            {
                case 1: start = value; break;
                case 2: end = value; break;
                case 4: token = value; break;
                case 5: keyword = value; break;
            }
        }

        return new ScanToken(start, end, token, keyword);
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> data, ref int pos)
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (pos >= data.Length)
            {
                throw new FormatException("truncated varint in libpg_query scan result");
            }

            var b = data[pos++];
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }

        throw new FormatException("varint too long in libpg_query scan result");
    }

    private static void Skip(ReadOnlySpan<byte> data, ref int pos, int wire)
    {
        switch (wire)
        {
            case 0: ReadVarint(data, ref pos); break;
            case 1: pos += 8; break;
            case 2:
                // Read the length first: "pos += ReadVarint(ref pos)" would add it to pos as it was
                // before the length's own bytes were read.
                var length = checked((int)ReadVarint(data, ref pos));
                pos += length;
                break;
            case 5: pos += 4; break;
            default: throw new FormatException($"unexpected protobuf wire type {wire} in libpg_query scan result");
        }
    }
}

using Rose.Core.Sql.Native;

namespace Rose.Core.Audit.Redaction;

/// <summary>
/// Removes credentials from SQL before it is stored in the audit log: the real PostgreSQL lexer
/// finds every string literal (plain, E'', U&amp;'', dollar-quoted; comments are their own tokens
/// and never hide one) and the parse tree says which of them are secrets. Exactly the literal's
/// bytes are replaced by <see cref="Mask"/>, so the rest of the statement stays readable.
/// A literal is a secret when
/// - it is the value of an option named like a credential (DefElem: PASSWORD, OPTIONS (password ...));
/// - it follows the PASSWORD keyword or an identifier named like a credential (also in text that does not parse);
/// - it is assigned or compared to such a column (SET password = '...');
/// - its decoded value is a connection string or URI carrying a password, alone or joined by || to
///   neighbouring literals (the whole chain is masked: the secret may be any piece of it);
/// - its decoded value is itself SQL that holds a secret (DO bodies, EXECUTE strings).
/// Text the lexer cannot read is masked from its first quote on: it fails closed.
/// </summary>
public static class SqlRedactor
{
    public const string Mask = "'***'";

    private const int Sconst = 261;   // pg_query.proto Token SCONST (also E'' and dollar-quoted)
    private const int Usconst = 262;  // U&'...'
    private const int Operator = 265; // Op
    private const int EqualsSign = 61;   // ASCII_61
    private const int MaxNesting = 3;

    public static string Redact(string sql) => Redact(sql, 0);

    private static string Redact(string sql, int nesting)
    {
        ArgumentNullException.ThrowIfNull(sql);
        if (sql.Length == 0)
        {
            return sql;
        }

        // The C lexer stops at the first NUL; a space keeps every byte offset and lets it read everything.
        var text = new Utf8Text(sql.Replace('\0', ' '));
        var scan = LibPgQuery.Scan(text.Bytes);
        if (scan.Error is not null)
        {
            return MaskFromFirstQuote(sql);
        }

        var tokens = WithExtents(text, ScanTokens.Decode(scan.Protobuf)).Where(t => t.Token is not (ScanTokens.SqlComment or ScanTokens.CComment)).ToList();
        var parsed = LibPgQuery.Parse(text.Bytes);
        var tree = parsed.Error is null ? ParseTreeSecrets.Read(parsed.ParseTreeJson!) : null;
        var secret = new bool[tokens.Count];

        for (var i = 0; i < tokens.Count; i++)
        {
            if (!IsLiteral(tokens[i]))
            {
                continue;
            }

            var value = ValueOf(text, tokens[i], tree);
            secret[i] |= FollowsSecretName(text, tokens, i)
                || SecretShapes.IsSecretValue(value)
                || (nesting < MaxNesting && value.Length > 0 && Redact(value, nesting + 1) != value);
        }

        if (tree is not null)
        {
            foreach (var location in tree.SecretOptionLocations)
            {
                var i = tokens.FindIndex(t => t.Start > location && IsLiteral(t));
                if (i >= 0)
                {
                    secret[i] = true;
                }
            }

            if (tree.HasUnlocatedSecretValue)
            {
                // A credential in a string field without a location (CREATE SUBSCRIPTION ... CONNECTION): mask every literal.
                for (var i = 0; i < tokens.Count; i++)
                {
                    secret[i] |= IsLiteral(tokens[i]);
                }
            }
        }

        MarkConcatenations(text, tokens, tree, secret);
        return Replace(sql, text, tokens, secret);
    }

    /// <summary>
    /// The scanner reports U&amp;'...' with an empty extent; such a token runs to the next token (or the
    /// end), less the whitespace between.
    /// </summary>
    private static List<ScanToken> WithExtents(Utf8Text text, List<ScanToken> tokens)
    {
        for (var i = 0; i < tokens.Count; i++)
        {
            if (tokens[i].End > tokens[i].Start)
            {
                continue;
            }

            var end = i + 1 < tokens.Count ? tokens[i + 1].Start : text.ByteLength;
            while (end > tokens[i].Start && text.Bytes[end - 1] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or (byte)'\f')
            {
                end--;
            }

            tokens[i] = tokens[i] with { End = end };
        }

        return tokens;
    }

    private static bool IsLiteral(ScanToken t) => t.Token is Sconst or Usconst;

    private static string Raw(Utf8Text text, ScanToken t) => Encoding.UTF8.GetString(text.Bytes, t.Start, t.End - t.Start);

    /// <summary>The decoded value from the parse tree when there is one, else the literal as written.</summary>
    private static string ValueOf(Utf8Text text, ScanToken t, ParseTreeSecrets? tree) =>
        tree is not null && tree.ValuesByLocation.TryGetValue(t.Start, out var value) ? value : Unquote(Raw(text, t));

    /// <summary>
    /// Text that did not parse (a PL/pgSQL body read as SQL) has no decoded values; quotes are taken
    /// off by hand so a nested string can be lexed again. Escapes stay as written.
    /// </summary>
    private static string Unquote(string raw)
    {
        if (raw.Length >= 2 && raw[0] == '$')
        {
            var tag = raw.IndexOf('$', 1);
            return tag > 0 && raw.Length >= 2 * (tag + 1) ? raw[(tag + 1)..^(tag + 1)] : raw;
        }

        var body = raw.Length > 0 && raw[0] is 'E' or 'e' ? raw[1..] : raw;
        return body.Length >= 2 && body[0] == '\'' && body[^1] == '\'' ? body[1..^1].Replace("''", "'", StringComparison.Ordinal) : raw;
    }

    /// <summary>PASSWORD 'x', "password" 'x', secret_token 'x', and SET password = 'x' / WHERE token = 'x'.</summary>
    private static bool FollowsSecretName(Utf8Text text, List<ScanToken> tokens, int i)
    {
        var before = i - 1;
        if (before >= 0 && tokens[before].Token == EqualsSign)
        {
            before--;
        }

        return before >= 0 && !IsLiteral(tokens[before]) && SecretShapes.IsSecretName(Raw(text, tokens[before]));
    }

    /// <summary>Literals joined by || are judged together, so 'host=h password=' || 'secret' is caught.</summary>
    private static void MarkConcatenations(Utf8Text text, List<ScanToken> tokens, ParseTreeSecrets? tree, bool[] secret)
    {
        var i = 0;
        while (i < tokens.Count)
        {
            if (!IsLiteral(tokens[i]))
            {
                i++;
                continue;
            }

            var chain = new List<int> { i };
            var j = i;
            while (j + 2 < tokens.Count && tokens[j + 1].Token == Operator && Raw(text, tokens[j + 1]) == "||" && IsLiteral(tokens[j + 2]))
            {
                j += 2;
                chain.Add(j);
            }

            if (chain.Count > 1)
            {
                var joined = string.Concat(chain.Select(k => ValueOf(text, tokens[k], tree)));
                if (chain.Any(k => secret[k]) || SecretShapes.IsSecretValue(joined))
                {
                    chain.ForEach(k => secret[k] = true);
                }
            }

            i = j + 1;
        }
    }

    private static string Replace(string sql, Utf8Text text, List<ScanToken> tokens, bool[] secret)
    {
        if (!secret.Contains(true))
        {
            return sql;
        }

        var output = new StringBuilder(sql.Length);
        var copied = 0;
        for (var i = 0; i < tokens.Count; i++)
        {
            if (!secret[i])
            {
                continue;
            }

            var start = text.CharOffset(tokens[i].Start);
            var end = text.CharOffset(tokens[i].End);
            output.Append(sql, copied, start - copied).Append(Mask);
            copied = end;
        }

        return output.Append(sql, copied, sql.Length - copied).ToString();
    }

    /// <summary>Unlexable text (an unterminated quote): nothing after the first quote can be judged, so none of it is kept.</summary>
    private static string MaskFromFirstQuote(string sql)
    {
        var quote = sql.IndexOfAny(['\'', '$', '"']);
        return quote < 0 ? sql : sql[..quote] + Mask + " /* the rest did not lex and was withheld */";
    }
}

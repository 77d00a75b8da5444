namespace Rose.Core.Audit.Redaction;

/// <summary>
/// What a secret looks like once the parser has found the names and string values: an option or
/// column named like a credential, a connection string with a password key, or a URI whose user
/// info carries a password. Values are judged decoded (the parser resolved E'', U&amp;'' and dollar
/// quoting), so no quoting form hides the key.
/// </summary>
internal static class SecretShapes
{
    private static readonly string[] SecretNameParts = ["password", "passwd", "pwd", "secret", "token", "api_key", "apikey", "credential"];

    /// <summary>An option, role attribute or column name that holds a credential.</summary>
    public static bool IsSecretName(string name)
    {
        var lower = name.Trim('"').ToLowerInvariant();
        foreach (var part in SecretNameParts)
        {
            if (lower.Contains(part, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A string value that carries a credential: conninfo key=value or a URI with user:password@.</summary>
    public static bool IsSecretValue(string value) => HasSecretKey(value) || HasUriPassword(value);

    /// <summary>password=..., password = "...", sslpassword=..., also as a URI query parameter (?password=).</summary>
    private static bool HasSecretKey(string value)
    {
        for (var eq = value.IndexOf('=', StringComparison.Ordinal); eq >= 0; eq = value.IndexOf('=', eq + 1))
        {
            var end = eq;
            while (end > 0 && char.IsWhiteSpace(value[end - 1]))
            {
                end--;
            }

            var start = end;
            while (start > 0 && (char.IsLetterOrDigit(value[start - 1]) || value[start - 1] == '_'))
            {
                start--;
            }

            if (end > start && IsSecretName(value[start..end]))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>scheme://user:password@host: a colon in the user info before the @.</summary>
    private static bool HasUriPassword(string value)
    {
        for (var s = value.IndexOf("://", StringComparison.Ordinal); s >= 0; s = value.IndexOf("://", s + 3, StringComparison.Ordinal))
        {
            var authorityStart = s + 3;
            var authorityEnd = value.IndexOfAny(['/', '?', '#', ' ', '\'', '"'], authorityStart);
            var authority = authorityEnd < 0 ? value[authorityStart..] : value[authorityStart..authorityEnd];
            var at = authority.LastIndexOf('@');
            if (at > 0 && authority[..at].Contains(':', StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}

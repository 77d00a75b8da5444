using System.Text.RegularExpressions;

namespace Rose.Core.Audit;

/// <summary>
/// Masks password-shaped fragments in free text (a request's reason, a server error message) before
/// it is stored. SQL itself is redacted from its parse tree by <see cref="Redaction.SqlRedactor"/>;
/// prose has no grammar, so patterns are all there is.
/// </summary>
public static partial class SecretRedactor
{
    public const string Mask = "'***'";

    public static string Redact(string sql)
    {
        if (sql.Length == 0)
        {
            return sql;
        }

        var redacted = PasswordLiteral().Replace(sql, m => m.Groups["kw"].Value + Mask);
        redacted = PasswordOption().Replace(redacted, m => m.Groups["kw"].Value + Mask);
        return ConnPassword().Replace(redacted, m => m.Groups["kw"].Value + "***");
    }

    // PASSWORD 'x', PASSWORD E'x' (doubled quotes and backslash escapes inside).
    [GeneratedRegex(@"(?<kw>\bPASSWORD\s+)(?:[Ee]'(?:[^'\\]|\\.|'')*'|'(?:[^']|'')*')", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PasswordLiteral();

    // OPTIONS (password 'x') in user mappings and servers.
    [GeneratedRegex(@"(?<kw>\bpassword\s*)'(?:[^']|'')*'", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PasswordOption();

    // password=secret inside connection strings.
    [GeneratedRegex(@"(?<kw>\bpassword\s*=\s*)[^\s;'""]+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ConnPassword();
}

namespace Rose.Core.Sql.Classification;

/// <summary>
/// Settings that change how the server reads the text of later statements. Rose classifies every
/// statement with libpg_query, whose lexer always reads standard_conforming_strings = on and UTF-8
/// text; the executor sends each statement's text on one session, in order. A statement that turns
/// standard_conforming_strings off, or switches client_encoding away from UTF-8 (SJIS, BIG5, GBK...
/// take a backslash as the second byte of a character), makes the server read the next statements
/// otherwise than they were classified: "SET standard_conforming_strings = off" followed by
/// "WITH a AS (SELECT 'x\''), b AS (DELETE FROM t RETURNING 1) SELECT 1 --') SELECT 1", classified
/// as a SELECT of a constant, deletes from t on PostgreSQL 15 (the string ends at \' there). Such a
/// statement is therefore refused as one the classifier cannot vouch for (UNPARSEABLE), whether a
/// plain SET, SET LOCAL, a function's SET clause, or ALTER ROLE / DATABASE / SYSTEM ... SET (which
/// would do the same to the pooled sessions opened later). Setting the safe value, DEFAULT or RESET
/// stays an ordinary SET.
/// </summary>
internal static class LexerSettings
{
    /// <summary>The settings this class and the executor's <c>ParsingSettings</c> guard, named once.</summary>
    internal const string StandardConformingStrings = "standard_conforming_strings";

    /// <inheritdoc cref="StandardConformingStrings"/>
    internal const string ClientEncoding = "client_encoding";

    /// <summary>Why the VariableSetStmt (or a setstmt field) may not be classified, or null when it is harmless.</summary>
    public static string? Problem(JsonElement variableSet)
    {
        var name = CommandTags.Enum(variableSet, "name");
        if (name is null || CommandTags.Enum(variableSet, "kind") != "VAR_SET_VALUE")
        {
            return null; // DEFAULT, RESET, RESET ALL, FROM CURRENT, or not a setting at all
        }

        // GUC names are case-insensitive in PostgreSQL (a quoted "Standard_Conforming_Strings" is the same setting).
        if (string.Equals(name, StandardConformingStrings, StringComparison.OrdinalIgnoreCase))
        {
            return SingleValue(variableSet) is "on" or "true" or "yes" or "1"
                ? null
                : "setting standard_conforming_strings to anything but on would make the server read later statements' strings otherwise than they were classified";
        }

        if (string.Equals(name, ClientEncoding, StringComparison.OrdinalIgnoreCase))
        {
            // PostgreSQL compares encoding names lower-cased without punctuation (UTF-8, utf_8, UTF8).
            var value = SingleValue(variableSet);
            var clean = value is null ? null : new string(value.Where(char.IsAsciiLetterOrDigit).ToArray());
            return clean is "utf8" or "unicode"
                ? null
                : "setting client_encoding away from UTF-8 would make the server read later statements' text otherwise than it was classified";
        }

        return null;
    }

    /// <summary>The one constant argument, lower-cased (integers as their digits); null when there is not exactly one.</summary>
    private static string? SingleValue(JsonElement variableSet)
    {
        if (!variableSet.TryGetProperty("args", out var args) || args.ValueKind != JsonValueKind.Array || args.GetArrayLength() != 1
            || !args[0].TryGetProperty("A_Const", out var constant))
        {
            return null;
        }

        if (constant.TryGetProperty("sval", out var sval))
        {
            return CommandTags.Enum(sval, "sval")?.ToLowerInvariant();
        }

        // libpg_query omits a zero integer: {"ival":{}} is 0.
        return constant.TryGetProperty("ival", out var ival)
            ? (ival.TryGetProperty("ival", out var number) && number.ValueKind == JsonValueKind.Number ? number.GetRawText() : "0")
            : null;
    }
}

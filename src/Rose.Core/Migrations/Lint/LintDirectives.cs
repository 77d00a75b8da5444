using System.Text.RegularExpressions;

namespace Rose.Core.Migrations.Lint;

/// <summary>
/// In-file disable comments. <c>-- rose-lint-disable rule-a, rule-b</c> turns the rules off for the
/// statement that follows the comment; <c>-- rose-lint-disable-file rule-a</c> turns them off for
/// the whole file. No ids (or "all") means every rule. Only comments between statements count, so
/// text inside string literals or function bodies can never disable anything.
/// </summary>
public sealed partial class LintDirectives
{
    private const string All = "all";

    private readonly HashSet<string> file = new(StringComparer.Ordinal);
    private readonly Dictionary<int, HashSet<string>> statements = [];

    public static LintDirectives None { get; } = new();

    public static LintDirectives Parse(string text, IReadOnlyList<SqlStatement> batch)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(batch);
        var directives = new LintDirectives();
        var gapStart = 0;
        foreach (var statement in batch.OrderBy(s => s.Start))
        {
            var gapEnd = Math.Clamp(statement.Start, gapStart, text.Length);
            foreach (Match m in Directive().Matches(text[gapStart..gapEnd]))
            {
                var target = m.Groups["file"].Success ? directives.file : directives.For(statement.Index);
                target.UnionWith(Ids(m));
            }

            gapStart = Math.Clamp(statement.Start + statement.Length, gapEnd, text.Length);
        }

        // After the last statement only file-wide directives can apply.
        foreach (Match m in Directive().Matches(text[gapStart..]))
        {
            if (m.Groups["file"].Success)
            {
                directives.file.UnionWith(Ids(m));
            }
        }

        return directives;
    }

    public bool Disables(string rule, int? statementIndex) =>
        file.Contains(All) || file.Contains(rule)
        || (statementIndex is { } i && statements.TryGetValue(i, out var set) && (set.Contains(All) || set.Contains(rule)));

    /// <summary>The rule ids after the directive; none means all rules.</summary>
    private static string[] Ids(Match m)
    {
        var ids = m.Groups["ids"].Value.Split([' ', '\t', ',', '\r'], StringSplitOptions.RemoveEmptyEntries);
        return ids.Length == 0 ? [All] : ids;
    }

    private HashSet<string> For(int index) =>
        statements.TryGetValue(index, out var set) ? set : statements[index] = new HashSet<string>(StringComparer.Ordinal);

    [GeneratedRegex(@"--[ \t]*rose-lint-disable(?<file>-file)?(?=[\s,]|$)(?<ids>[^\n]*)", RegexOptions.CultureInvariant)]
    private static partial Regex Directive();
}

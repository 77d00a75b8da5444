using System.Text.RegularExpressions;

namespace Rose.Core.Migrations.Lint;

/// <summary>
/// PostgreSQL silently truncates identifiers to 63 bytes, so two long names can collide and lookups
/// by the full name fail. The parser has already truncated the names in the tree, so a 63-byte name
/// is checked against the statement text for the characters that were cut off.
/// </summary>
public sealed class IdentifierTooLongRule() : LintRule(
    "identifier-too-long",
    LintSeverity.Warning,
    "Identifiers longer than 63 bytes are silently truncated.",
    ["identifier-too-long"])
{
    private const int MaxBytes = 63;

    public override IEnumerable<LintFinding> Check(IReadOnlyList<LintStatement> migration, LintContext context)
    {
        foreach (var s in migration)
        {
            var names = new List<string?> { LintTree.Str(LintTree.Prop(s.Body, "relation"), "relname"), LintTree.Str(s.Body, "idxname"), LintTree.Str(s.Body, "newname") };
            names.AddRange(LintTree.Columns(s).Select(c => c.Name));
            names.AddRange(LintTree.Constraints(s.Body, "tableElts").Select(c => LintTree.Str(c, "conname")));
            names.AddRange(LintTree.AlterCommands(s).Select(LintTree.AddedConstraint).Select(c => c is { } con ? LintTree.Str(con, "conname") : null));
            foreach (var name in names.OfType<string>().Where(n => Encoding.UTF8.GetByteCount(n) >= MaxBytes && WasTruncated(s.Statement.Text, n)).Distinct())
            {
                yield return Finding(s, $"Identifier {name}... is longer than {MaxBytes} bytes; PostgreSQL truncates it silently to {name}.",
                    $"Use a name of at most {MaxBytes} bytes.");
            }
        }
    }

    /// <summary>True when the text has the (truncated) name followed by more identifier characters.</summary>
    private static bool WasTruncated(string text, string name) =>
        Regex.IsMatch(text, Regex.Escape(name) + @"[\p{L}\p{N}_$]", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
}

using System.Text;

namespace Rose.Core.Migrations.Lint;

/// <summary>PostgreSQL silently truncates identifiers to 63 bytes, so two long names can collide and lookups by the full name fail.</summary>
public sealed class IdentifierTooLongRule : LintRule
{
    private const int MaxBytes = 63;

    public override string Id => "identifier-too-long";

    public override LintSeverity Severity => LintSeverity.Warning;

    public override string Description => "Identifiers longer than 63 bytes are silently truncated.";

    public override IReadOnlyList<string> Squawk => ["identifier-too-long"];

    public override IEnumerable<LintFinding> Check(IReadOnlyList<LintStatement> migration, LintContext context)
    {
        foreach (var s in migration)
        {
            var names = new List<string?> { LintTree.Str(LintTree.Prop(s.Body, "relation"), "relname"), LintTree.Str(s.Body, "idxname"), LintTree.Str(s.Body, "newname") };
            names.AddRange(LintTree.Columns(s).Select(c => c.Name));
            names.AddRange(LintTree.Constraints(s.Body, "tableElts").Select(c => LintTree.Str(c, "conname")));
            names.AddRange(LintTree.AlterCommands(s).Select(LintTree.AddedConstraint).Select(c => c is { } con ? LintTree.Str(con, "conname") : null));
            foreach (var name in names.Where(n => n is not null && Encoding.UTF8.GetByteCount(n) > MaxBytes).Distinct())
            {
                yield return Finding(s, $"Identifier {name} is longer than {MaxBytes} bytes; PostgreSQL truncates it silently.",
                    $"Use a name of at most {MaxBytes} bytes.");
            }
        }
    }
}

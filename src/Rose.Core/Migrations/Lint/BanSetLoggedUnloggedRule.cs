namespace Rose.Core.Migrations.Lint;

/// <summary>
/// SET LOGGED writes the whole table to WAL (a rewrite) under ACCESS EXCLUSIVE; SET UNLOGGED also
/// rewrites it, and afterwards a crash empties the table and replicas never see its rows.
/// </summary>
public sealed class BanSetLoggedUnloggedRule() : LintRule(
    "ban-set-logged-unlogged",
    LintSeverity.Error,
    "ALTER TABLE ... SET LOGGED / SET UNLOGGED rewrites the table under ACCESS EXCLUSIVE; UNLOGGED tables are emptied by a crash.")
{
    public override IEnumerable<LintFinding> Check(IReadOnlyList<LintStatement> migration, LintContext context)
    {
        foreach (var s in migration)
        {
            foreach (var cmd in LintTree.AlterCommands(s).Where(c => LintTree.Str(c, "subtype") is "AT_SetLogged" or "AT_SetUnLogged"))
            {
                var logged = LintTree.Str(cmd, "subtype") == "AT_SetLogged";
                yield return Finding(s,
                    logged
                        ? $"SET LOGGED rewrites {LintTree.Relation(s.Body)} into the WAL while every read and write waits."
                        : $"SET UNLOGGED rewrites {LintTree.Relation(s.Body)} while every read and write waits; afterwards a crash empties it and replicas lose it.",
                    "Create a new table with the persistence you want, copy in batches, and swap names in a short transaction.", TableImpact.Rewrite);
            }
        }
    }
}

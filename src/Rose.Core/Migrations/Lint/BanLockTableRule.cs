namespace Rose.Core.Migrations.Lint;

/// <summary>
/// An explicit LOCK TABLE in SHARE mode or stronger blocks writes (ACCESS EXCLUSIVE, the default
/// mode, blocks reads too) until the transaction ends: everything else the migration does runs
/// while the table is unavailable.
/// </summary>
public sealed class BanLockTableRule() : StatementKindRule("LockStmt",
    "ban-lock-table",
    LintSeverity.Error,
    "LOCK TABLE in SHARE mode or stronger (the default is ACCESS EXCLUSIVE) blocks the table until the transaction ends.")
{
    protected override LintFinding? Flag(LintStatement s)
    {
        var mode = StatementLocks.Of(s).Mode;
        if (!StatementLocks.BlocksWrites(mode))
        {
            return null;
        }

        var blocksReads = mode == StatementLocks.AccessExclusive;
        return Finding(s,
            $"LOCK TABLE {string.Join(", ", s.Statement.Objects)} IN {mode} MODE blocks {(blocksReads ? "every read and write" : "every write")} until the transaction ends.",
            "Let each statement take the lock it needs, with a short lock_timeout; keep the transaction short.",
            severity: blocksReads || mode == StatementLocks.Exclusive ? LintSeverity.Error : LintSeverity.Warning,
            table: s.Statement.Objects.FirstOrDefault());
    }
}

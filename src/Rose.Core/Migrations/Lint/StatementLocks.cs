namespace Rose.Core.Migrations.Lint;

/// <summary>The strongest table-level lock a statement takes and what it does to the table while holding it.</summary>
public sealed record StatementLock(string Mode, TableImpact Impact);

/// <summary>
/// Lock modes per statement, after PostgreSQL's "Explicit Locking" chapter (table-level lock
/// modes and the commands that acquire them) and the ALTER TABLE reference, which gives the lock
/// of each subcommand. Every finding carries this, so a reader sees what the statement blocks.
/// </summary>
public static class StatementLocks
{
    public const string None = "none";
    public const string AccessShare = "ACCESS SHARE";
    public const string RowShare = "ROW SHARE";
    public const string RowExclusive = "ROW EXCLUSIVE";
    public const string ShareUpdateExclusive = "SHARE UPDATE EXCLUSIVE";
    public const string Share = "SHARE";
    public const string ShareRowExclusive = "SHARE ROW EXCLUSIVE";
    public const string Exclusive = "EXCLUSIVE";
    public const string AccessExclusive = "ACCESS EXCLUSIVE";

    /// <summary>Weakest to strongest; LOCK TABLE's numeric mode is the position here (1 = ACCESS SHARE).</summary>
    public static IReadOnlyList<string> Modes { get; } =
        [None, AccessShare, RowShare, RowExclusive, ShareUpdateExclusive, Share, ShareRowExclusive, Exclusive, AccessExclusive];

    /// <summary>True for SHARE and stronger: modes that block every write (and from EXCLUSIVE on, more).</summary>
    public static bool BlocksWrites(string mode) => Rank(mode) >= Rank(Share);

    public static int Rank(string mode) => Math.Max(0, Modes.ToList().IndexOf(mode));

    public static StatementLock Of(LintStatement s)
    {
        var b = s.Body;
        return s.Node switch
        {
            "AlterTableStmt" => LintTree.AlterCommands(s).Select(OfAlterCommand)
                .Aggregate(new StatementLock(None, TableImpact.None), (a, c) => new StatementLock(
                    Rank(c.Mode) > Rank(a.Mode) ? c.Mode : a.Mode, c.Impact > a.Impact ? c.Impact : a.Impact)),
            "IndexStmt" => new(LintTree.Flag(b, "concurrent") ? ShareUpdateExclusive : Share, TableImpact.Scan),
            "DropStmt" => new(LintTree.Flag(b, "concurrent") ? ShareUpdateExclusive : AccessExclusive, TableImpact.None),
            "ReindexStmt" => new(IsConcurrentReindex(b) ? ShareUpdateExclusive : AccessExclusive, TableImpact.Scan),
            "VacuumStmt" => IsVacuumFull(b) ? new(AccessExclusive, TableImpact.Rewrite) : new(ShareUpdateExclusive, TableImpact.Scan),
            "ClusterStmt" => new(AccessExclusive, TableImpact.Rewrite),
            "TruncateStmt" or "RenameStmt" or "DropdbStmt" => new(AccessExclusive, TableImpact.None),
            "LockStmt" => new(Modes[Math.Clamp(LintTree.Int(b, "mode") is var m && m == 0 ? 8 : m, 1, 8)], TableImpact.None),
            "CreateTrigStmt" => new(ShareRowExclusive, TableImpact.None),
            "RefreshMatViewStmt" => new(LintTree.Flag(b, "concurrent") ? Exclusive : AccessExclusive, TableImpact.Rewrite),
            "UpdateStmt" => new(RowExclusive, s.Statement.UnfilteredDml ? TableImpact.Rewrite : TableImpact.None),
            "DeleteStmt" => new(RowExclusive, s.Statement.UnfilteredDml ? TableImpact.Scan : TableImpact.None),
            "InsertStmt" or "MergeStmt" => new(RowExclusive, TableImpact.None),
            "CreateStmt" => new(HasForeignKey(b) ? ShareRowExclusive : None, TableImpact.None),
            "AlterDomainStmt" when LintTree.Str(b, "subtype") == "C" => new(Share, LintTree.Flag(LintTree.Prop(LintTree.Prop(b, "def"), "Constraint"), "skip_validation") ? TableImpact.None : TableImpact.Scan),
            "CommentStmt" or "CreateStatsStmt" => new(ShareUpdateExclusive, TableImpact.None),
            _ => new(None, TableImpact.None),
        };
    }

    public static bool IsVacuumFull(JsonElement vacuum) =>
        LintTree.Nodes(vacuum, "options", "DefElem").Any(d => LintTree.Str(d, "defname") == "full" && !IsFalse(d));

    public static bool IsConcurrentReindex(JsonElement reindex) =>
        LintTree.Flag(reindex, "concurrent") || LintTree.Nodes(reindex, "params", "DefElem").Any(d => LintTree.Str(d, "defname") == "concurrently" && !IsFalse(d));

    /// <summary>VACUUM (FULL false) spells the option off.</summary>
    private static bool IsFalse(JsonElement defElem)
    {
        var arg = LintTree.Prop(defElem, "arg");
        var text = LintTree.Str(LintTree.Prop(arg, "String"), "sval") ?? LintTree.Str(LintTree.Prop(LintTree.Prop(arg, "A_Const"), "sval"), "sval");
        var boolval = LintTree.Prop(LintTree.Prop(arg, "Boolean"), "boolval");
        return text is "false" or "off" or "0" || (arg.ValueKind == JsonValueKind.Object && arg.TryGetProperty("Boolean", out _) && boolval.ValueKind != JsonValueKind.True);
    }

    private static bool HasForeignKey(JsonElement create) =>
        LintTree.Constraints(create, "tableElts").Any(c => LintTree.Str(c, "contype") == "CONSTR_FOREIGN")
        || LintTree.Nodes(create, "tableElts", "ColumnDef").Any(col => LintTree.HasConstraint(col, "CONSTR_FOREIGN"));

    private static StatementLock OfAlterCommand(JsonElement cmd)
    {
        switch (LintTree.Str(cmd, "subtype"))
        {
            case "AT_AddConstraint" when LintTree.AddedConstraint(cmd) is { } con:
                var validated = !LintTree.Flag(con, "skip_validation");
                return LintTree.Str(con, "contype") switch
                {
                    "CONSTR_FOREIGN" => new(ShareRowExclusive, validated ? TableImpact.Scan : TableImpact.None),
                    "CONSTR_PRIMARY" or "CONSTR_UNIQUE" => new(AccessExclusive, LintTree.Str(con, "indexname") is null ? TableImpact.Scan : TableImpact.None),
                    _ => new(AccessExclusive, validated ? TableImpact.Scan : TableImpact.None),
                };
            case "AT_ValidateConstraint":
                return new(ShareUpdateExclusive, TableImpact.Scan);
            case "AT_SetStatistics" or "AT_ClusterOn" or "AT_DropCluster" or "AT_SetRelOptions" or "AT_ResetRelOptions" or "AT_AttachPartition":
                return new(ShareUpdateExclusive, TableImpact.None);
            case "AT_DetachPartition":
                return new(LintTree.Flag(LintTree.Prop(LintTree.Prop(cmd, "def"), "PartitionCmd"), "concurrent") ? ShareUpdateExclusive : AccessExclusive, TableImpact.None);
            case "AT_EnableTrig" or "AT_DisableTrig" or "AT_EnableAlwaysTrig" or "AT_EnableReplicaTrig" or "AT_EnableTrigAll" or "AT_DisableTrigAll" or "AT_EnableTrigUser" or "AT_DisableTrigUser":
                return new(ShareRowExclusive, TableImpact.None);
            case "AT_AddColumn" when LintTree.ColumnDef(cmd) is { } col:
                return new(AccessExclusive, AddColumnImpact(col));
            case "AT_AlterColumnType" or "AT_SetLogged" or "AT_SetUnLogged" or "AT_SetTableSpace" or "AT_SetAccessMethod":
                return new(AccessExclusive, TableImpact.Rewrite);
            case "AT_SetNotNull":
                return new(AccessExclusive, TableImpact.Scan);
            default:
                return new(AccessExclusive, TableImpact.None);
        }
    }

    private static TableImpact AddColumnImpact(JsonElement col)
    {
        var type = LintTree.TypeOf(LintTree.Prop(col, "typeName"));
        var constraints = LintTree.Constraints(col).ToList();
        if (type is "serial" or "serial4" or "serial8" or "bigserial" or "smallserial" or "serial2"
            || constraints.Any(c => LintTree.Str(c, "contype") is "CONSTR_GENERATED" or "CONSTR_IDENTITY")
            || constraints.Any(c => LintTree.Str(c, "contype") == "CONSTR_DEFAULT" && VolatileDefaults.IsVolatile(LintTree.Prop(c, "raw_expr"))))
        {
            return TableImpact.Rewrite;
        }

        return constraints.Any(c => LintTree.Str(c, "contype") is "CONSTR_PRIMARY" or "CONSTR_UNIQUE" or "CONSTR_CHECK" or "CONSTR_FOREIGN" or "CONSTR_EXCLUSION")
            ? TableImpact.Scan
            : TableImpact.None;
    }
}

namespace Rose.Core.Sql.Classification;

/// <summary>What a side-effecting built-in does, for the classifier's Writes/Kind.</summary>
/// <param name="Group">Why it is listed (for reviewers and messages).</param>
/// <param name="Writes">False only for functions that merely hold the session (pg_sleep*).</param>
/// <param name="AnySchema">Extension functions (dblink, adminpack, ...) live in whatever schema the extension was installed in, so a schema-qualified call counts whatever the schema.</param>
internal sealed record SideEffectFunction(string Group, bool Writes, bool AnySchema);

/// <summary>
/// The reviewed list of built-in (and common extension) functions whose call has effects beyond
/// reading data. Each call adds the operation "FUNCTION name", so a policy must name it to allow
/// it. Adding a function here is the only change needed to gate it. Names are PostgreSQL's
/// case-folded names; exact entries are checked first, then prefixes for whole families.
/// </summary>
internal static class SideEffectFunctions
{
    private const string ServerAdmin = "server administration";
    private const string ServerFiles = "server files";
    private const string LargeObjects = "large objects";
    private const string Session = "session configuration";
    private const string Locks = "advisory locks";
    private const string Remote = "remote execution";
    private const string Sequences = "sequences";
    private const string DynamicSql = "dynamic SQL";
    private const string Notifications = "notifications";
    private const string Resources = "resource use";
    private const string Transactions = "transaction id assignment";

    private static readonly Dictionary<string, SideEffectFunction> Exact = new(StringComparer.Ordinal);
    private static readonly List<(string Prefix, SideEffectFunction Function)> Prefixes = [];

    static SideEffectFunctions()
    {
        // Server administration: signal backends, reload/rotate, WAL and backup control,
        // replication slots and origins, statistics resets.
        Add(ServerAdmin, false,
            "pg_terminate_backend", "pg_cancel_backend", "pg_reload_conf", "pg_rotate_logfile",
            "pg_rotate_logfile_old", "pg_promote", "pg_switch_wal", "pg_switch_xlog", "pg_create_restore_point",
            "pg_backup_start", "pg_backup_stop", "pg_start_backup", "pg_stop_backup",
            "pg_wal_replay_pause", "pg_wal_replay_resume", "pg_xlog_replay_pause", "pg_xlog_replay_resume",
            "pg_create_physical_replication_slot", "pg_create_logical_replication_slot",
            "pg_drop_replication_slot", "pg_replication_slot_advance",
            "pg_copy_physical_replication_slot", "pg_copy_logical_replication_slot",
            "pg_logical_slot_get_changes", "pg_logical_slot_get_binary_changes",
            "pg_logical_slot_peek_changes", "pg_logical_slot_peek_binary_changes",
            "pg_logical_emit_message", "pg_log_backend_memory_contexts", "pg_import_system_collations",
            "pg_stat_clear_snapshot", "pg_stat_force_next_flush", "pg_nextoid");

        // Reviewed against PostgreSQL 16 and 17: writing a standby snapshot to WAL (16), syncing
        // failover slots from the primary (17), waiting on WAL replay (a 17 beta, kept in case a
        // build has it), and the statistics import/clear functions (18) that write pg_statistic.
        // Every pg_stat_reset* variant (pg_stat_reset_shared('wal'|'io'|...), _slru,
        // _replication_slot, _subscription_stats, _single_table_counters) matches the prefix below.
        Add(ServerAdmin, false,
            "pg_log_standby_snapshot", "pg_sync_replication_slots", "pg_wal_replay_wait",
            "pg_restore_relation_stats", "pg_restore_attribute_stats", "pg_clear_relation_stats", "pg_clear_attribute_stats");
        AddPrefix(ServerAdmin, "pg_replication_origin_", "pg_stat_reset");

        // pg_surgery (contrib, any schema) rewrites heap tuples directly.
        Add(ServerAdmin, true, "heap_force_kill", "heap_force_freeze");

        // Statistics and maintenance functions of contrib extensions (installed in any schema).
        Add(ServerAdmin, true, "pg_stat_statements_reset", "pg_truncate_visibility_map", "pg_prewarm");

        // Server files: read or list files on the database server; adminpack writes them.
        Add(ServerFiles, false,
            "pg_read_file", "pg_read_binary_file", "pg_ls_dir", "pg_stat_file", "pg_current_logfile");

        // PostgreSQL 17's WAL summary functions read the server's pg_wal/summaries files.
        Add(ServerFiles, false, "pg_available_wal_summaries", "pg_wal_summary_contents", "pg_get_wal_summarizer_state");
        AddPrefix(ServerFiles, "pg_ls_");
        Add(ServerFiles, true, "pg_file_write", "pg_file_rename", "pg_file_unlink", "pg_file_sync", "pg_logdir_ls", "pg_file_read", "pg_file_length");

        // Large objects: server-side import/export touches server files; the rest changes pg_largeobject.
        Add(LargeObjects, false, "loread", "lowrite");
        AddPrefix(LargeObjects, "lo_");

        // Session and configuration: set_config can switch role, search_path, timeouts.
        Add(Session, false, "set_config");

        // Advisory locks: held beyond the statement, can block other sessions.
        AddPrefix(Locks, "pg_advisory_", "pg_try_advisory_");

        // Remote execution: dblink runs arbitrary SQL on another server (extension, any schema).
        AddPrefix(Remote, "dblink");

        // Sequences: nextval/setval change state that no rollback restores.
        Add(Sequences, false, "nextval", "setval");

        // Dynamic SQL: functions that run SQL text given as an argument.
        Add(DynamicSql, false,
            "query_to_xml", "query_to_xml_and_xmlschema", "query_to_xmlschema",
            "cursor_to_xml", "cursor_to_xmlschema", "ts_stat");

        // Notifications to other sessions.
        Add(Notifications, false, "pg_notify");

        // Resource use: holds a connection (and its locks) for as long as asked. Not a write.
        Add(Resources, false, "pg_sleep", "pg_sleep_for", "pg_sleep_until");

        // Transaction id assignment: forces an xid, consuming xid space.
        Add(Transactions, false, "txid_current", "pg_current_xact_id");
    }

    /// <summary>
    /// The entry for a call, or null. parts are the function name components as the parser gives
    /// them (already case-folded unless quoted). A core built-in counts only when unqualified or
    /// qualified with pg_catalog: myschema.pg_sleep is a different function. Extension functions
    /// count whatever their schema.
    /// </summary>
    public static SideEffectFunction? Match(IReadOnlyList<string> parts)
    {
        if (parts.Count == 0)
        {
            return null;
        }

        var entry = Find(parts[^1]);
        if (entry is null)
        {
            return null;
        }

        var schema = parts.Count >= 2 ? parts[^2] : null;
        return schema is null || schema == "pg_catalog" || entry.AnySchema ? entry : null;
    }

    private static SideEffectFunction? Find(string name)
    {
        if (Exact.TryGetValue(name, out var entry))
        {
            return entry;
        }

        foreach (var (prefix, function) in Prefixes)
        {
            if (name.StartsWith(prefix, StringComparison.Ordinal))
            {
                return function;
            }
        }

        return null;
    }

    private static void Add(string group, bool anySchema, params string[] names)
    {
        var writes = group != Resources;
        foreach (var name in names)
        {
            Exact[name] = new SideEffectFunction(group, writes, anySchema);
        }
    }

    private static void AddPrefix(string group, params string[] prefixes)
    {
        // Families that come from extensions may live in any schema.
        var anySchema = group is Remote;
        foreach (var prefix in prefixes)
        {
            Prefixes.Add((prefix, new SideEffectFunction(group, Writes: true, anySchema)));
        }
    }
}

namespace Rose.Core.Migrations.Reversibility;

/// <summary>
/// What a database's schema looks like, as comparable text: one entry per object, keyed by kind and
/// qualified name, valued by the server's own rendering of its definition (pg_get_*def, format_type).
/// Two databases with equal shapes have the same tables, columns (with order, types, defaults,
/// nullability), constraints, indexes, views, sequences, functions, triggers, types, policies and
/// extensions. Not compared: data, sequence positions, owners, grants and comments; objects that belong
/// to an extension (they come and go with the extension itself); Rose's own rose_schema_history.
/// </summary>
public sealed class SchemaShape
{
    private SchemaShape(IReadOnlyDictionary<string, SchemaObject> objects) => Objects = objects;

    public IReadOnlyDictionary<string, SchemaObject> Objects { get; }

    internal static async Task<SchemaShape> ReadAsync(TargetSession session, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(session);
        var rows = await session.QueryAsync(Sql, [], ct);
        var objects = new Dictionary<string, SchemaObject>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var o = new SchemaObject((string)row[0]!, (string)row[1]!, (string?)row[2] ?? "");
            objects[o.Kind + " " + o.Name] = o;
        }

        return new SchemaShape(objects);
    }

    /// <summary>What changed from <paramref name="expected"/> to <paramref name="actual"/>, in a stable order.</summary>
    public static IReadOnlyList<SchemaDifference> Compare(SchemaShape expected, SchemaShape actual)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        var differences = new List<SchemaDifference>();
        foreach (var (key, want) in expected.Objects)
        {
            if (!actual.Objects.TryGetValue(key, out var got))
            {
                differences.Add(new SchemaDifference(SchemaChange.Missing, want.Kind, want.Name, want.Definition, null));
            }
            else if (!string.Equals(want.Definition, got.Definition, StringComparison.Ordinal))
            {
                differences.Add(new SchemaDifference(SchemaChange.Changed, want.Kind, want.Name, want.Definition, got.Definition));
            }
        }

        foreach (var (key, got) in actual.Objects)
        {
            if (!expected.Objects.ContainsKey(key))
            {
                differences.Add(new SchemaDifference(SchemaChange.Unexpected, got.Kind, got.Name, null, got.Definition));
            }
        }

        return [.. differences.OrderBy(d => d.Name, StringComparer.Ordinal).ThenBy(d => d.Kind, StringComparer.Ordinal)];
    }

    // One statement (Rose's own SQL runs one command at a time). Each branch yields (kind, name, definition).
    // Names are quote_ident-ed so "a.b" and a.b never collide; a column's position counts only live columns,
    // so a dropped-and-re-added column at the end compares equal to the original at the end.
    private const string Sql = """
        WITH ns AS (
            SELECT oid, nspname FROM pg_namespace
            WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'rose_backup')
              AND nspname NOT LIKE 'pg\_toast%' AND nspname NOT LIKE 'pg\_temp\_%'
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_namespace'::regclass AND d.objid = pg_namespace.oid AND d.deptype = 'e')
        ),
        rel AS (
            SELECT c.oid, c.relkind, c.relpersistence, c.relrowsecurity, c.relforcerowsecurity, c.relpartbound,
                   quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS name
            FROM pg_class c JOIN ns n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c')
              AND c.relname NOT LIKE 'rose\_schema\_history%'
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
        )
        SELECT 'schema', quote_ident(nspname), '' FROM ns
        UNION ALL
        SELECT 'extension', quote_ident(e.extname), 'in schema ' || e.extnamespace::regnamespace::text
        FROM pg_extension e WHERE e.extname <> 'plpgsql'
        UNION ALL
        SELECT CASE r.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'partitioned table' WHEN 'v' THEN 'view'
                   WHEN 'm' THEN 'materialized view' WHEN 'S' THEN 'sequence' WHEN 'f' THEN 'foreign table' ELSE 'type' END,
               r.name,
               concat_ws(' ',
                   CASE r.relpersistence WHEN 'u' THEN 'unlogged' END,
                   CASE WHEN r.relrowsecurity THEN 'row level security' END,
                   CASE WHEN r.relforcerowsecurity THEN 'forced' END,
                   CASE WHEN r.relkind = 'p' THEN 'partition by ' || pg_get_partkeydef(r.oid) END,
                   CASE WHEN r.relpartbound IS NOT NULL THEN 'partition of ' || (SELECT i.inhparent::regclass::text FROM pg_inherits i WHERE i.inhrelid = r.oid) || ' ' || pg_get_expr(r.relpartbound, r.oid) END,
                   CASE WHEN r.relkind IN ('v', 'm') THEN pg_get_viewdef(r.oid) END,
                   CASE WHEN r.relkind = 'S' THEN (SELECT format('%s start %s increment %s min %s max %s cache %s%s', format_type(s.seqtypid, NULL),
                       s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, CASE WHEN s.seqcycle THEN ' cycle' ELSE '' END)
                       FROM pg_sequence s WHERE s.seqrelid = r.oid) END)
        FROM rel r
        UNION ALL
        SELECT 'column', r.name || '.' || quote_ident(a.attname),
               concat_ws(' ',
                   '#' || row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum),
                   format_type(a.atttypid, a.atttypmod),
                   CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation THEN 'collate ' || a.attcollation::regcollation::text END,
                   CASE WHEN a.attnotnull THEN 'not null' END,
                   CASE a.attidentity WHEN 'a' THEN 'generated always as identity' WHEN 'd' THEN 'generated by default as identity' END,
                   CASE WHEN a.attgenerated = 's' THEN 'generated always as (' || pg_get_expr(ad.adbin, ad.adrelid) || ') stored'
                        WHEN ad.adbin IS NOT NULL THEN 'default ' || pg_get_expr(ad.adbin, ad.adrelid) END)
        FROM rel r
        JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
        JOIN pg_type t ON t.oid = a.atttypid
        LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
        WHERE r.relkind <> 'S'
        UNION ALL
        SELECT 'constraint', r.name || ' ' || quote_ident(con.conname), pg_get_constraintdef(con.oid, true)
        FROM pg_constraint con JOIN rel r ON r.oid = con.conrelid
        UNION ALL
        SELECT 'index', quote_ident(n.nspname) || '.' || quote_ident(ic.relname), pg_get_indexdef(ix.indexrelid)
        FROM pg_index ix
        JOIN rel r ON r.oid = ix.indrelid
        JOIN pg_class ic ON ic.oid = ix.indexrelid
        JOIN pg_namespace n ON n.oid = ic.relnamespace
        UNION ALL
        SELECT 'trigger', r.name || ' ' || quote_ident(tg.tgname), pg_get_triggerdef(tg.oid, true)
        FROM pg_trigger tg JOIN rel r ON r.oid = tg.tgrelid
        WHERE NOT tg.tgisinternal
        UNION ALL
        SELECT 'policy', r.name || ' ' || quote_ident(pol.polname),
               concat_ws(' ', CASE WHEN pol.polpermissive THEN 'permissive' ELSE 'restrictive' END, 'for ' || pol.polcmd::text,
                   'to ' || (SELECT string_agg(CASE WHEN x = 0 THEN 'public' ELSE x::regrole::text END, ', ' ORDER BY x) FROM unnest(pol.polroles) x),
                   'using (' || pg_get_expr(pol.polqual, pol.polrelid) || ')',
                   'with check (' || pg_get_expr(pol.polwithcheck, pol.polrelid) || ')')
        FROM pg_policy pol JOIN rel r ON r.oid = pol.polrelid
        UNION ALL
        SELECT CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate' WHEN 'w' THEN 'window function' ELSE 'function' END,
               quote_ident(n.nspname) || '.' || quote_ident(p.proname) || '(' || pg_get_function_identity_arguments(p.oid) || ')',
               CASE WHEN p.prokind = 'a' THEN 'returns ' || format_type(p.prorettype, NULL) ELSE pg_get_functiondef(p.oid) END
        FROM pg_proc p JOIN ns n ON n.oid = p.pronamespace
        WHERE NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
        UNION ALL
        SELECT CASE t.typtype WHEN 'e' THEN 'enum' WHEN 'd' THEN 'domain' ELSE 'range' END,
               quote_ident(n.nspname) || '.' || quote_ident(t.typname),
               CASE t.typtype
                   WHEN 'e' THEN (SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid)
                   WHEN 'd' THEN concat_ws(' ', format_type(t.typbasetype, t.typtypmod), CASE WHEN t.typnotnull THEN 'not null' END, 'default ' || t.typdefault,
                       (SELECT string_agg(quote_ident(c.conname) || ' ' || pg_get_constraintdef(c.oid, true), ', ' ORDER BY c.conname) FROM pg_constraint c WHERE c.contypid = t.oid))
                   ELSE (SELECT format_type(rg.rngsubtype, NULL) FROM pg_range rg WHERE rg.rngtypid = t.oid)
               END
        FROM pg_type t JOIN ns n ON n.oid = t.typnamespace
        WHERE t.typtype IN ('e', 'd', 'r')
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
        """;
}

/// <summary>One schema object: its kind ("table", "column", "index"...), qualified name and rendered definition.</summary>
public sealed record SchemaObject(string Kind, string Name, string Definition);

public enum SchemaChange
{
    /// <summary>In the expected schema, not in the actual one.</summary>
    Missing,

    /// <summary>In the actual schema only: left behind, or created by the second run only.</summary>
    Unexpected,

    /// <summary>In both, with different definitions.</summary>
    Changed,
}

/// <summary>One way two schemas differ.</summary>
public sealed record SchemaDifference(SchemaChange Change, string Kind, string Name, string? Expected, string? Actual)
{
    public override string ToString() => Change switch
    {
        SchemaChange.Missing => $"{Kind} {Name} is missing",
        SchemaChange.Unexpected => $"{Kind} {Name} should not exist ({Actual})",
        _ => $"{Kind} {Name} differs: expected {Expected}; found {Actual}",
    };
}

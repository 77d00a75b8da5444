namespace Rose.Cli.Commands;

/// <summary>Readable tables for `rose migrate` answers (the --json flag prints the API's answer instead).</summary>
internal static class MigrateOutput
{
    public static void Print(string action, JsonElement root, TextWriter o)
    {
        switch (action)
        {
            case "status" or "verify":
                PrintStatus(root, o);
                break;
            case "plan":
                PrintPlan(root, o);
                break;
            case "check":
                PrintCheck(root, o);
                break;
            case "drift":
                PrintDrift(root, o);
                break;
            default:
                PrintRun(root, o);
                break;
        }
    }

    private static void PrintDrift(JsonElement root, TextWriter o)
    {
        var rows = Items(root, "differences").Select(d => new[]
        {
            MigrateCommand.Str(d, "change") ?? "", MigrateCommand.Str(d, "kind") ?? "", MigrateCommand.Str(d, "name") ?? "",
        }).ToList();
        Table(o, ["CHANGE", "KIND", "NAME"], rows);
        foreach (var note in Items(root, "notes"))
        {
            o.WriteLine("note: " + note.GetString());
        }

        o.WriteLine(root.TryGetProperty("drift", out var drift) && !drift.GetBoolean() ? "no drift" : $"DRIFT: {rows.Count} object(s) differ from the migrations");
    }

    private static void PrintStatus(JsonElement root, TextWriter o)
    {
        var rows = Items(root, "entries").Select(e => new[]
        {
            MigrateCommand.Str(e, "version") ?? "R", MigrateCommand.Str(e, "description") ?? "", MigrateCommand.Str(e, "state") ?? "",
            MigrateCommand.Str(e, "installed_by") ?? "", e.TryGetProperty("installed_on", out var on) && on.ValueKind == JsonValueKind.String ? on.GetString()! : "",
        }).ToList();
        Table(o, ["VERSION", "DESCRIPTION", "STATE", "BY", "INSTALLED"], rows);
        foreach (var p in Items(root, "problems"))
        {
            o.WriteLine("problem: " + p.GetString());
        }

        o.WriteLine(root.TryGetProperty("ok", out var ok) && ok.GetBoolean() ? "ok" : "NOT OK");
    }

    private static void PrintPlan(JsonElement root, TextWriter o)
    {
        o.WriteLine($"decision: {MigrateCommand.Str(root, "decision")}");
        foreach (var b in Items(root, "blockers"))
        {
            o.WriteLine("blocked: " + b.GetString());
        }

        foreach (var m in Items(root, "migrations"))
        {
            var alone = m.GetProperty("all_or_nothing").GetBoolean() ? "" : " (runs alone: not all-or-nothing)";
            o.WriteLine($"\n{MigrateCommand.Str(m, "file")}: {MigrateCommand.Str(m, "decision")}{alone}");
            Table(o, ["#", "TAG", "DECISION", "OBJECTS"], [.. Items(m, "statements").Select(s => new[]
            {
                (s.GetProperty("index").GetInt32() + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                MigrateCommand.Str(s, "tag") ?? "", MigrateCommand.Str(s, "decision") ?? "",
                string.Join(", ", Items(s, "objects").Select(x => x.GetString())),
            })]);
            foreach (var f in Items(m, "lint"))
            {
                var rows = f.TryGetProperty("table_rows", out var n) && n.ValueKind == JsonValueKind.Number ? $", about {n.GetInt64():N0} rows" : "";
                o.WriteLine($"  [{MigrateCommand.Str(f, "severity")}] {MigrateCommand.Str(f, "rule")}: {MigrateCommand.Str(f, "message")} (lock: {MigrateCommand.Str(f, "lock") ?? "none"}{rows})");
            }
        }
    }

    private static void PrintCheck(JsonElement root, TextWriter o)
    {
        Table(o, ["VERSION", "FILE", "UNDO", "VERDICT"], [.. Items(root, "steps").Select(s => new[]
        {
            MigrateCommand.Str(s, "version") ?? "", MigrateCommand.Str(s, "file") ?? "", MigrateCommand.Str(s, "undo_file") ?? "-",
            MigrateCommand.Str(s, "verdict") ?? "",
        })]);
        foreach (var step in Items(root, "steps").Where(s => MigrateCommand.Str(s, "verdict") != "reversible"))
        {
            o.WriteLine($"\n{MigrateCommand.Str(step, "version")}: {MigrateCommand.Str(step, "message")}");
            foreach (var (label, list) in new[] { ("after undo", "undo_differences"), ("after up again", "redo_differences") })
            {
                foreach (var d in Items(step, list))
                {
                    o.WriteLine($"  {label}: {MigrateCommand.Str(d, "change")} {MigrateCommand.Str(d, "kind")} {MigrateCommand.Str(d, "name")}"
                        + (MigrateCommand.Str(d, "change") == "changed" ? $": expected {MigrateCommand.Str(d, "expected")}; found {MigrateCommand.Str(d, "actual")}" : ""));
                }
            }
        }

        foreach (var note in Items(root, "notes"))
        {
            o.WriteLine("note: " + note.GetString());
        }

        o.WriteLine(root.TryGetProperty("ok", out var ok) && ok.GetBoolean() ? "reversible" : "NOT REVERSIBLE");
    }

    private static void PrintRun(JsonElement root, TextWriter o)
    {
        o.WriteLine($"status: {MigrateCommand.Outcome(root)}{(root.TryGetProperty("dry_run", out var d) && d.GetBoolean() ? " (dry run, rolled back)" : "")}");
        Table(o, ["FILE", "OK", "MS", "ROWS BEFORE -> AFTER"], [.. Items(root, "applied").Select(a => new[]
        {
            MigrateCommand.Str(a, "file") ?? "", a.GetProperty("succeeded").GetBoolean() ? "yes" : "NO",
            a.GetProperty("duration_ms").GetDouble().ToString("0.#", System.Globalization.CultureInfo.InvariantCulture),
            Counts(a),
        })]);
        if (root.TryGetProperty("approval_id", out var id) && id.ValueKind == JsonValueKind.Number)
        {
            o.WriteLine($"approval request: {id.GetInt64()} (nothing applied until it is approved)");
        }

        foreach (var line in Items(root, "reasons").Concat(Items(root, "notes")))
        {
            o.WriteLine(line.GetString());
        }

        if (MigrateCommand.Str(root, "message") is { } message)
        {
            o.WriteLine("error: " + message);
        }
    }

    private static string Counts(JsonElement a)
    {
        var pre = a.GetProperty("pre_counts").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());
        var post = a.GetProperty("post_counts").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());
        return string.Join(", ", pre.Keys.Union(post.Keys).Select(t => $"{t} {(pre.TryGetValue(t, out var x) ? x : null)} -> {(post.TryGetValue(t, out var y) ? y : null)}"));
    }

    private static IEnumerable<JsonElement> Items(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array ? v.EnumerateArray() : [];

    private static void Table(TextWriter o, string[] header, IReadOnlyList<string[]> rows)
    {
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        o.WriteLine(string.Join("  ", header.Select((h, i) => h.PadRight(widths[i]))).TrimEnd());
        foreach (var row in rows)
        {
            o.WriteLine(string.Join("  ", row.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        }
    }
}

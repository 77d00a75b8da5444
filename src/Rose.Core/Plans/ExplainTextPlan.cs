using System.Text.RegularExpressions;

namespace Rose.Core.Plans;

/// <summary>
/// Reads PostgreSQL's default (text) EXPLAIN output, one "QUERY PLAN" row per line, into the same tree
/// the JSON format gives, so an EXPLAIN typed by hand renders like the Explain buttons' plans. Only
/// node lines ("->" children under the root) and the timing footer count; detail lines (Filter,
/// Group Key, Buffers, Worker ...) are skipped.
/// </summary>
public static partial class ExplainTextPlan
{
    /// <summary>The plan in <paramref name="lines"/>; null when the first line is not a plan node (another format, not a plan).</summary>
    public static ExplainPlan? Parse(IReadOnlyList<string?> lines, int hotCount = 3)
    {
        ArgumentNullException.ThrowIfNull(lines);
        PlanNode? root = null;
        double? planning = null, execution = null;
        // Open nodes with the column of their "->" (the root sits at -1), to find each child's parent by indentation.
        var open = new Stack<(int Column, PlanNode Node)>();
        foreach (var line in lines)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            if (Footer().Match(line) is { Success: true } footer)
            {
                var ms = double.Parse(footer.Groups["ms"].Value, CultureInfo.InvariantCulture);
                if (footer.Groups["what"].Value == "Planning")
                {
                    planning = ms;
                }
                else
                {
                    execution = ms;
                }

                continue;
            }

            var arrow = line.IndexOf("->  ", StringComparison.Ordinal);
            var isChild = arrow >= 0 && string.IsNullOrWhiteSpace(line[..arrow]);
            if (root is not null && !isChild)
            {
                continue;
            }

            var node = ReadNode(isChild ? line[(arrow + 2)..] : line, out var hasFigures);
            if (node is null)
            {
                return null;
            }

            if (root is null)
            {
                // The root must show figures: a bare first line is another format (JSON, XML, YAML), not a plan node.
                if (isChild || !hasFigures)
                {
                    return null;
                }

                root = node;
                open.Push((-1, node));
                continue;
            }

            while (open.Peek().Column >= arrow)
            {
                open.Pop();
            }

            open.Peek().Node.Children.Add(node);
            open.Push((arrow, node));
        }

        return root is null ? null : ExplainPlan.Build(root, planning, execution, hotCount);
    }

    /// <summary>"Index Scan using events_pkey on events e  (cost=0.29..8.31 rows=1 width=5) (actual time=... rows=1 loops=1)".</summary>
    private static PlanNode? ReadNode(string text, out bool hasFigures)
    {
        var match = NodeLine().Match(text.Trim());
        hasFigures = match.Groups["startup"].Success || match.Groups["arows"].Success || match.Groups["never"].Success;
        if (!match.Success)
        {
            return null;
        }

        var label = match.Groups["label"].Value.Trim();
        string? relation = null, alias = null, index = null;
        var on = label.IndexOf(" on ", StringComparison.Ordinal);
        var head = on >= 0 ? label[..on] : label;
        if (on >= 0)
        {
            // "on rel [alias]", or for Bitmap Index Scan "on index".
            var target = label[(on + 4)..].Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
            if (head.EndsWith("Bitmap Index Scan", StringComparison.Ordinal))
            {
                index = target[0];
            }
            else
            {
                relation = target[0];
                alias = target.Length > 1 ? target[1] : null;
            }
        }

        var usingAt = head.IndexOf(" using ", StringComparison.Ordinal);
        if (usingAt >= 0)
        {
            index = head[(usingAt + 7)..];
            head = head[..usingAt];
        }

        return new PlanNode
        {
            NodeType = head,
            Relation = relation,
            Alias = alias,
            IndexName = index,
            StartupCost = Number(match, "startup") ?? 0,
            TotalCost = Number(match, "total") ?? 0,
            PlanRows = Number(match, "rows") ?? 0,
            ActualRows = Number(match, "arows") ?? (match.Groups["never"].Success ? 0 : null),
            ActualTotalTime = Number(match, "atime") ?? (match.Groups["never"].Success ? 0 : null),
            ActualLoops = Number(match, "loops") ?? (match.Groups["never"].Success ? 0 : null),
        };
    }

    private static double? Number(Match match, string group) =>
        match.Groups[group].Success ? double.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture) : null;

    // A node line carries its estimate, unless COSTS OFF; then only an ANALYZE part or nothing follows the label.
    [GeneratedRegex(@"^(?<label>[^(]+?)\s*(?:\(cost=(?<startup>[\d.]+)\.\.(?<total>[\d.]+) rows=(?<rows>\d+) width=\d+\))?\s*(?:\(actual (?:time=[\d.]+\.\.(?<atime>[\d.]+) )?rows=(?<arows>[\d.]+) loops=(?<loops>\d+)\)|(?<never>\(never executed\)))?$")]
    private static partial Regex NodeLine();

    [GeneratedRegex(@"^(?<what>Planning|Execution) Time: (?<ms>[\d.]+) ms$")]
    private static partial Regex Footer();
}

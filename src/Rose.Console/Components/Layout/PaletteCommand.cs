using System.Text.RegularExpressions;

namespace Rose.Console.Components.Layout;

/// <summary>One entry of the command palette: what it says and where it goes.</summary>
public sealed record PaletteCommand(string Title, string Detail, string Href, string Icon, string Group);

/// <summary>A pending approval as the palette lists it.</summary>
public sealed record PalettePending(long Id, string Database, string Operations, string Requester);

/// <summary>
/// What the command palette offers for a query: pages, targets (their overview and filtered pages),
/// an audit id or an approval id typed as a number, and the pending approvals. Pure: the palette
/// component supplies the user, the targets and the pending requests.
/// </summary>
public static partial class PaletteIndex
{
    public const int MaxResults = 12;

    public static IReadOnlyList<PaletteCommand> Search(string? query, ClaimsPrincipal user, IEnumerable<string> targets, IEnumerable<PalettePending> pending)
    {
        var q = (query ?? "").Trim();
        var results = new List<PaletteCommand>();
        var viewer = user.IsInRole(RoseRoles.Viewer);

        // "#42", "42", "audit 42", "approval 42": an id jumps straight to the entry or the request.
        if (viewer && IdQuery().Match(q) is { Success: true } m && long.TryParse(m.Groups["id"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0)
        {
            var audit = new PaletteCommand($"Audit entry #{id}", "Open the entry in the audit log", $"audit?detail={id}&before={id + 1}", Icons.Material.Outlined.Policy, "Go to id");
            var approval = new PaletteCommand($"Approval request #{id}", "Open the request", $"approvals/{id}", Icons.Material.Outlined.HowToReg, "Go to id");
            results.AddRange(m.Groups["word"].Value.StartsWith("ap", StringComparison.OrdinalIgnoreCase) ? [approval, audit] : [audit, approval]);
        }

        results.AddRange(ConsolePages.For(user)
            .Where(p => Matches(q, p.Title, p.Description))
            .Select(p => new PaletteCommand(p.Title, p.Description, p.Href, p.Icon, "Pages")));

        if (viewer)
        {
            foreach (var target in targets.Where(t => Matches(q, t, "target")))
            {
                var name = Uri.EscapeDataString(target);
                results.Add(new($"{target}: overview", "Approvals, failures, validation, migrations", $"/?target={name}", Icons.Material.Outlined.Storage, "Targets"));
                results.Add(new($"{target}: audit", "Audit log of this target", $"audit?database={name}", Icons.Material.Outlined.Policy, "Targets"));
                results.Add(new($"{target}: validation", "Checks of this target", $"validation?database={name}", Icons.Material.Outlined.FactCheck, "Targets"));
                results.Add(new($"{target}: migrations", "Migrations of this target", $"migrations?database={name}", Icons.Material.Outlined.Upgrade, "Targets"));
            }

            results.AddRange(pending
                .Where(p => Matches(q, $"#{p.Id} {p.Id}", $"{p.Database} {p.Operations} {p.Requester} pending approval"))
                .Select(p => new PaletteCommand($"Approval #{p.Id} · {p.Operations}", $"pending on {p.Database}, by {p.Requester}", $"approvals/{p.Id}", Icons.Material.Outlined.PendingActions, "Pending approvals")));
        }

        return results.Take(MaxResults).ToList();
    }

    /// <summary>Every word of the query appears in the title or the detail (case-insensitive).</summary>
    private static bool Matches(string query, string title, string detail) =>
        query.Length == 0 || query.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .All(w => title.Contains(w, StringComparison.OrdinalIgnoreCase) || detail.Contains(w, StringComparison.OrdinalIgnoreCase));

    [GeneratedRegex(@"^(?:(?<word>audit|approval)\s*)?#?\s*(?<id>\d{1,18})$", RegexOptions.IgnoreCase)]
    private static partial Regex IdQuery();
}

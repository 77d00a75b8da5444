namespace Rose.Console.Components.Layout;

/// <summary>One page of the console: where it lives, its icon, and the role that may open it.</summary>
public sealed record ConsolePage(string Title, string Href, string Icon, string Role, string Description);

/// <summary>
/// The console's pages, in navigation order. The drawer and the command palette both read this list,
/// so a page added here appears in both, shown only to the roles that may open it.
/// </summary>
public static class ConsolePages
{
    public static readonly IReadOnlyList<ConsolePage> All =
    [
        new("Home", "/", Icons.Material.Outlined.Dashboard, RoseRoles.Viewer, "Overview of every target"),
        new("Workbench", "workbench", Icons.Material.Outlined.Terminal, RoseRoles.Operator, "Write and run SQL"),
        new("Approvals", "approvals", Icons.Material.Outlined.HowToReg, RoseRoles.Viewer, "Requests waiting for a decision"),
        new("Audit", "audit", Icons.Material.Outlined.Policy, RoseRoles.Viewer, "Every attempt, in a hash chain"),
        new("Migrations", "migrations", Icons.Material.Outlined.Upgrade, RoseRoles.Viewer, "Versioned schema changes"),
        new("Devlogs", "devlogs", Icons.Material.Outlined.MenuBook, RoseRoles.Viewer, "What was done and why"),
        new("Validation", "validation", Icons.Material.Outlined.FactCheck, RoseRoles.Viewer, "Data and schema checks"),
        new("Performance", "performance", Icons.Material.Outlined.Speed, RoseRoles.Operator, "Slow queries, index advice, health"),
        new("Agents", "agents", Icons.Material.Outlined.SmartToy, RoseRoles.Admin, "Agents, policies and API keys"),
    ];

    /// <summary>The pages this user may open (role claims already include the roles below the highest).</summary>
    public static IEnumerable<ConsolePage> For(ClaimsPrincipal user) => All.Where(p => user.IsInRole(p.Role));
}

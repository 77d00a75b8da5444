using Microsoft.AspNetCore.Components;
using Rose.Core.Audit;
using Rose.Core.Targets;

namespace Rose.Console.Components.Pages.Home;

public partial class Home
{
    [Inject] private TargetRegistry Targets { get; set; } = default!;
    [Inject] private AuditReader Audit { get; set; } = default!;

    private IReadOnlyList<TargetDefinition> targets = [];
    private IReadOnlyList<AuditEntry>? recent;

    protected override async Task OnInitializedAsync()
    {
        targets = Targets.All;
        recent = await Audit.QueryAsync(new AuditFilter { Limit = 8 }, CancellationToken.None);
    }

    private static string Shorten(string sql) => sql.Length <= 80 ? sql : sql[..80] + "…";
}

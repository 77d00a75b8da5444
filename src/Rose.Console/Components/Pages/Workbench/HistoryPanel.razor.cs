using Rose.Core.Workbench;

namespace Rose.Console.Components.Pages.Workbench;

/// <summary>The signed-in user's recent workbench runs, straight from the audit log; click one to reopen it.</summary>
public partial class HistoryPanel : IDisposable
{
    [Inject] private AuditReader Audit { get; set; } = default!;

    [Parameter] public string? UserId { get; set; }

    /// <summary>Bumped by the page after each run so the list refreshes.</summary>
    [Parameter] public int Version { get; set; }

    [Parameter] public EventCallback<string> OnOpen { get; set; }

    private readonly CancellationTokenSource lifetime = new();
    private IReadOnlyList<AuditEntry>? entries;
    private string search = string.Empty;
    private int loadedVersion = -1;

    protected override async Task OnParametersSetAsync()
    {
        if (Version != loadedVersion)
        {
            loadedVersion = Version;
            await ReloadAsync();
        }
    }

    private Task OnSearchAsync(string value)
    {
        search = value ?? string.Empty;
        return ReloadAsync();
    }

    private async Task ReloadAsync()
    {
        if (UserId is null)
        {
            return;
        }

        try
        {
            var found = await Audit.QueryAsync(new AuditFilter
            {
                Executor = UserId,
                Channel = "workbench",
                Text = string.IsNullOrWhiteSpace(search) ? null : search.Trim(),
                Limit = 60,
            }, lifetime.Token);
            // Catalog reads of the schema browser are audited too, but they are not the user's queries.
            entries = [.. found.Where(e => e.Reason != SchemaCatalog.Reason).Take(50)];
        }
        catch (OperationCanceledException) when (lifetime.IsCancellationRequested)
        {
            // The panel closed.
        }
    }

    private static string Shorten(string sql)
    {
        var flat = string.Join(' ', sql.Split((char[])['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries));
        return flat.Length <= 120 ? flat : flat[..120] + "…";
    }

    public void Dispose()
    {
        lifetime.Cancel();
        lifetime.Dispose();
    }
}

using Microsoft.AspNetCore.Components.Web;
using Microsoft.JSInterop;

namespace Rose.Console.Components.Layout;

public partial class CommandPalette
{
    [CascadingParameter] private IMudDialogInstance Dialog { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private IJSRuntime JS { get; set; } = default!;

    [Parameter, EditorRequired] public ClaimsPrincipal User { get; set; } = new();
    [Parameter] public IReadOnlyList<string> Targets { get; set; } = [];
    [Parameter] public IReadOnlyList<PalettePending> Pending { get; set; } = [];

    private string? query;
    private int selected;
    private IReadOnlyList<PaletteCommand> results = [];

    private Dictionary<string, object> InputAttributes => new()
    {
        ["aria-label"] = "Search commands",
        ["role"] = "combobox",
        ["aria-expanded"] = "true",
        ["aria-controls"] = "rose-palette-results",
        ["aria-activedescendant"] = results.Count == 0 ? "" : $"rose-palette-{selected}",
        ["data-testid"] = "palette-input",
    };

    protected override void OnParametersSet() => Refresh();

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (firstRender)
        {
            await JS.InvokeVoidAsync("roseShell.focus", "[data-testid=palette-input]");
        }
    }

    private void OnQueryChanged(string? text)
    {
        query = text;
        Refresh();
    }

    private void Refresh()
    {
        results = PaletteIndex.Search(query, User, Targets, Pending);
        selected = 0;
    }

    private void OnKeyDownAsync(KeyboardEventArgs e)
    {
        switch (e.Key)
        {
            case "ArrowDown" when results.Count > 0:
                selected = (selected + 1) % results.Count;
                break;
            case "ArrowUp" when results.Count > 0:
                selected = (selected - 1 + results.Count) % results.Count;
                break;
            case "Enter" when results.Count > 0:
                Go(results[selected]);
                break;
        }
    }

    private void Go(PaletteCommand command)
    {
        Dialog.Close(DialogResult.Ok(command.Href));
        Navigation.NavigateTo(command.Href);
    }
}

using Microsoft.AspNetCore.WebUtilities;
using Rose.Core.Devlogs;

namespace Rose.Console.Components.Pages.Devlogs;

public partial class Devlogs
{
    [Inject] private DevlogStore Store { get; set; } = default!;
    [Inject] private NavigationManager Nav { get; set; } = default!;
    [Inject] private PrerenderHandoff Handoff { get; set; } = default!;

    [SupplyParameterFromQuery(Name = "q")] public string? Q { get; set; }
    [SupplyParameterFromQuery(Name = "service")] public string? Service { get; set; }
    [SupplyParameterFromQuery(Name = "type")] public string? Type { get; set; }
    [SupplyParameterFromQuery(Name = "tag")] public string? Tag { get; set; }
    [SupplyParameterFromQuery(Name = "from")] public string? From { get; set; }
    [SupplyParameterFromQuery(Name = "to")] public string? To { get; set; }
    [SupplyParameterFromQuery(Name = "before")] public string? Before { get; set; }
    [SupplyParameterFromQuery(Name = "id")] public string? Id { get; set; }

    private IReadOnlyList<Devlog>? items;
    private bool hasOlder;
    private string? error;

    private DevlogForm draft = new();
    private bool writing;
    private bool saving;

    // The filter being edited; Apply puts it in the URL.
    private string? draftQ;
    private string? draftService;
    private string? draftType;
    private string? draftTag;
    private DateTime? draftFrom;
    private DateTime? draftTo;
    private List<string> createErrors = [];

    protected override async Task OnParametersSetAsync()
    {
        (draftQ, draftService, draftType, draftTag) = (Q, Service, Type, Tag);
        draftFrom = ParseTime(From)?.UtcDateTime;
        draftTo = ParseTime(To)?.UtcDateTime;
        error = null;
        (items, hasOlder, error) = await Handoff.TakeOrLoadAsync(
            "devlogs:" + string.Join('\u001f', Q, Service, Type, Tag, From, To, Before, Id), !RendererInfo.IsInteractive, async () =>
            {
                await LoadAsync();
                return new Loaded(items, hasOlder, error);
            });
    }

    /// <summary>What <see cref="LoadAsync"/> read, handed from the prerender to the interactive render (<see cref="PrerenderHandoff"/>).</summary>
    private sealed record Loaded(IReadOnlyList<Devlog>? Items, bool HasOlder, string? Error);

    private async Task LoadAsync()
    {
        try
        {
            if (ParseLong(Id) is { } id)
            {
                var one = await Store.GetAsync(id, CancellationToken.None);
                items = one is null ? [] : [one];
                hasOlder = false;
                return;
            }

            var filter = new DevlogFilter
            {
                ServiceId = Service,
                LogType = Type,
                Tags = string.IsNullOrWhiteSpace(Tag) ? [] : [Tag],
                From = ParseTime(From),
                To = ParseTime(To),
                Before = ParseLong(Before),
            };
            if (!string.IsNullOrWhiteSpace(Q))
            {
                items = await Store.SearchAsync(Q, filter with { Limit = DevlogStore.MaxSearchLimit }, 0, CancellationToken.None);
                hasOlder = false;
            }
            else
            {
                var page = await Store.ListAsync(filter, CancellationToken.None);
                items = page.Items;
                hasOlder = page.HasOlder;
            }
        }
        catch (DatabaseException ex)
        {
            items = [];
            error = "Devlogs could not be read: " + ex.Message;
        }
    }

    private async Task CreateAsync(ClaimsPrincipal user)
    {
        saving = true;
        createErrors = [];
        try
        {
            var tags = (draft.Tags ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var metadata = string.IsNullOrWhiteSpace(draft.Metadata) ? "{}" : draft.Metadata.Trim();
            var created = await Store.CreateAsync(new DevlogDraft(CurrentIdentity.ToActor(user), draft.Service ?? "", draft.Type ?? "",
                draft.Title ?? "", draft.Content ?? "", tags, metadata), CancellationToken.None);
            draft = new DevlogForm();
            writing = false;
            Nav.NavigateTo($"devlogs?id={created.Id}");
        }
        catch (DevlogValidationException ex)
        {
            createErrors = [.. ex.Errors];
        }
        finally
        {
            saving = false;
        }
    }

    private void ApplyFilter()
    {
        var pairs = new Dictionary<string, string?>
        {
            ["q"] = draftQ,
            ["service"] = draftService,
            ["type"] = draftType,
            ["tag"] = draftTag,
            ["from"] = draftFrom?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["to"] = draftTo?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        }.Where(p => !string.IsNullOrWhiteSpace(p.Value)).ToList();
        Nav.NavigateTo(pairs.Count == 0 ? "devlogs" : QueryHelpers.AddQueryString("devlogs", pairs));
    }

    private void OnSearchKey(Microsoft.AspNetCore.Components.Web.KeyboardEventArgs e)
    {
        if (e.Key == "Enter")
        {
            ApplyFilter();
        }
    }

    private string LinkFor(string? service, string? type, string? tag) => Link(service, type, tag);

    /// <summary>This view's URL with one filter changed (and the page position reset).</summary>
    private string Link(string? service = null, string? type = null, string? tag = null, long? before = null)
    {
        var pairs = new Dictionary<string, string?>
        {
            ["q"] = Q,
            ["service"] = service ?? Service,
            ["type"] = type ?? Type,
            ["tag"] = tag ?? Tag,
            ["from"] = From,
            ["to"] = To,
            ["before"] = before?.ToString(CultureInfo.InvariantCulture),
        }.Where(p => !string.IsNullOrWhiteSpace(p.Value)).ToList();
        return pairs.Count == 0 ? "devlogs" : QueryHelpers.AddQueryString("devlogs", pairs);
    }

    private static long? ParseLong(string? value) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : null;

    private static DateTimeOffset? ParseTime(string? value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t) ? t : null;

    /// <summary>The devlog being written.</summary>
    private sealed class DevlogForm
    {
        public string? Service { get; set; }
        public string? Type { get; set; } = "note";
        public string? Title { get; set; }
        public string? Content { get; set; }
        public string? Tags { get; set; }
        public string? Metadata { get; set; }
    }
}

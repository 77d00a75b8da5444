namespace Rose.Console.Components.Pages.Approvals;

/// <summary>
/// The approvals queue: pending requests first, live (LISTEN/NOTIFY from any console instance),
/// with the risk preview, and Approve/Reject for approvers. The history filter lives in the URL.
/// </summary>
public partial class Approvals : IDisposable
{
    private static readonly string[] DecidedStatuses = [ApprovalStatus.Executed, ApprovalStatus.Failed, ApprovalStatus.Rejected, ApprovalStatus.Expired, ApprovalStatus.Executing];

    [Inject] private ApprovalStore Store { get; set; } = default!;
    [Inject] private ApprovalService Service { get; set; } = default!;
    [Inject] private ApprovalNotifier Notifier { get; set; } = default!;
    [Inject] private ApprovalPreviewer Previewer { get; set; } = default!;
    [Inject] private TargetRegistry Targets { get; set; } = default!;
    [Inject] private AuthenticationStateProvider Auth { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;

    [Parameter] public long? Id { get; set; }
    [SupplyParameterFromQuery(Name = "status")] public string? Status { get; set; }
    [SupplyParameterFromQuery(Name = "database")] public string? Database { get; set; }
    [SupplyParameterFromQuery(Name = "requester")] public string? Requester { get; set; }

    private ClaimsPrincipal user = new();
    private IReadOnlyList<ApprovalRequest> pending = [];
    private IReadOnlyList<ApprovalRequest> history = [];
    private ApprovalRequest? single;
    private readonly Dictionary<long, IReadOnlyList<string>> warnings = [];
    private bool loaded;
    private long? busy;
    private string? message;
    private bool messageIsError;
    private string? draftStatus;
    private string? draftDatabase;
    private string? draftRequester;

    protected override async Task OnInitializedAsync()
    {
        user = (await Auth.GetAuthenticationStateAsync()).User;
        Notifier.Changed += OnApprovalChanged;
    }

    protected override Task OnParametersSetAsync()
    {
        (draftStatus, draftDatabase, draftRequester) = (Blank(Status), Blank(Database), Blank(Requester));
        return LoadAsync(CancellationToken.None);
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    /// <summary>The history filter goes into the URL, as links to it are shared; the database also narrows the pending list.</summary>
    private void ApplyFilter() => Navigation.NavigateTo(Navigation.GetUriWithQueryParameters(new Dictionary<string, object?>
    {
        ["status"] = Blank(draftStatus),
        ["database"] = Blank(draftDatabase),
        ["requester"] = Blank(draftRequester),
    }));

    private void ClearDatabase() => Navigation.NavigateTo(Navigation.GetUriWithQueryParameter("database", (string?)null));

    private async Task LoadAsync(CancellationToken ct)
    {
        if (Id is { } id)
        {
            single = await Store.GetAsync(id, ct);
            if (single is not null)
            {
                await LoadWarningsAsync([single], ct);
            }
        }
        else
        {
            pending = await Store.ListAsync(new ApprovalFilter { Pending = true, Database = Blank(Database), Limit = 200 }, ct);
            history = await Store.ListAsync(new ApprovalFilter
            {
                Pending = false,
                Status = string.IsNullOrEmpty(Status) ? null : Status,
                Database = string.IsNullOrEmpty(Database) ? null : Database,
                Requester = string.IsNullOrEmpty(Requester) ? null : Requester,
                Limit = 200,
            }, ct);
            await LoadWarningsAsync(pending, ct);
        }

        loaded = true;
    }

    /// <summary>Approvers are warned when a previewed table changed shape since the preview.</summary>
    private async Task LoadWarningsAsync(IEnumerable<ApprovalRequest> requests, CancellationToken ct)
    {
        foreach (var request in requests.Where(r => r.Status == ApprovalStatus.Pending))
        {
            if (Targets.TryGet(request.Database, out var target))
            {
                try
                {
                    warnings[request.Id] = await Previewer.ShapeChangesAsync(target, request.TargetSnapshotJson, ct);
                }
                catch (Rose.Core.Errors.DatabaseException)
                {
                    warnings[request.Id] = ["The target could not be checked for changes since the preview."];
                }
            }
        }
    }

    private IReadOnlyList<string> WarningsFor(ApprovalRequest request) =>
        warnings.TryGetValue(request.Id, out var list) ? list : [];

    private bool MayApprove => user.IsInRole(RoseRoles.Approver);

    private bool CanDecide(ApprovalRequest request) => WhyNot(request) is null;

    /// <summary>Why this user cannot decide this request, shown instead of the buttons.</summary>
    private string? WhyNot(ApprovalRequest request)
    {
        if (request.Status != ApprovalStatus.Pending)
        {
            return null;
        }

        if (request.IsExpired(DateTimeOffset.UtcNow))
        {
            return "This request has expired and can no longer be approved.";
        }

        if (!MayApprove)
        {
            return "Only approvers and admins can decide requests.";
        }

        return string.Equals(request.RequesterId, user.FindFirstValue(ClaimTypes.NameIdentifier), StringComparison.Ordinal)
            ? "You cannot decide your own request."
            : null;
    }

    private async Task DecideAsync(long id, bool approve, string? comment)
    {
        if (busy is not null)
        {
            return;
        }

        busy = id;
        try
        {
            var executor = CurrentIdentity.ToActor(user);
            var result = approve
                ? await Service.ApproveAsync(id, executor, MayApprove, comment, CancellationToken.None)
                : await Service.RejectAsync(id, executor, MayApprove, comment, CancellationToken.None);
            message = result.Message;
            messageIsError = !result.Done || result.Request?.Status == ApprovalStatus.Failed;
            // The banner above the list says it once and stays until closed; a toast with the same words said it twice.
            await LoadAsync(CancellationToken.None);
        }
        finally
        {
            busy = null;
        }
    }

    private void OnApprovalChanged(long id) => _ = InvokeAsync(async () =>
    {
        if (Id is null || Id == id)
        {
            await LoadAsync(CancellationToken.None);
            StateHasChanged();
        }
    });

    public void Dispose()
    {
        Notifier.Changed -= OnApprovalChanged;
        GC.SuppressFinalize(this);
    }
}

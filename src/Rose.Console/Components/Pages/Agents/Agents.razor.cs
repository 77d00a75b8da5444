using Rose.Core.Agents;

namespace Rose.Console.Components.Pages.Agents;

/// <summary>Admins list agents, create console agents, edit their policies, and create or revoke API keys.</summary>
public partial class Agents
{
    [Inject] private AgentStore Store { get; set; } = default!;
    [Inject] private AgentAdmin Admin { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private AuthenticationStateProvider AuthState { get; set; } = default!;
    [Inject] private ILogger<Agents> Logger { get; set; } = default!;
    [Inject] private Rose.Console.Mcp.McpAgentSettingsReader McpSettings { get; set; } = default!;

    /// <summary>The selected agent lives in the query string so a link can point at it.</summary>
    [SupplyParameterFromQuery(Name = "agent")] public string? SelectedId { get; set; }

    private readonly CancellationTokenSource lifetime = new();
    private IReadOnlyList<Agent> agents = [];
    private Agent? selected;
    private IReadOnlyList<ApiKeyInfo> keys = [];

    private bool creating;
    private string newId = "";
    private string newName = "";
    private string newPolicy = AgentPolicyJson.Template;
    private IReadOnlyList<string> createErrors = [];

    private string editPolicy = "";
    private IReadOnlyList<string> policyErrors = [];
    private DateTime? newKeyDate;
    private TimeSpan? newKeyTime;
    private IReadOnlyList<string> keyErrors = [];
    private IReadOnlyList<string>? mcpTools;
    private IReadOnlyList<string> mcpErrors = [];

    private CancellationToken Ct => lifetime.Token;

    protected override async Task OnParametersSetAsync()
    {
        agents = await Store.ListAsync(Ct);
        await LoadSelectedAsync();
    }

    private async Task LoadSelectedAsync()
    {
        selected = SelectedId is null ? null : agents.FirstOrDefault(a => a.Id == SelectedId);
        keys = selected is null ? [] : await Store.ListKeysAsync(selected.Id, Ct);
        editPolicy = selected is null ? "" : AgentPolicyJson.Format(selected.Policy);
        // What the agent gets, whichever source decides it (configuration or this page).
        mcpTools = selected is null ? null : (await McpSettings.ReadAsync(selected.Id, Ct)).AllowedTools?.ToList();
        mcpErrors = [];
        policyErrors = [];
        keyErrors = [];
    }

    private Task SelectAsync(string id)
    {
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameter("agent", id));
        return Task.CompletedTask;
    }

    private async Task CreateAgentAsync()
    {
        var errors = new List<string>();
        var id = newId.Trim();
        if (!AgentPolicyJson.IsValidId(id))
        {
            errors.Add("The id must be 1-63 letters, digits, '_' or '-'.");
        }

        if (!AgentPolicyJson.TryParse(newPolicy, out var policy, out var policyProblems))
        {
            errors.AddRange(policyProblems);
        }

        if (errors.Count == 0)
        {
            var created = await AuditedAsync(errors, async actor =>
                await Admin.CreateAsync(actor, id, string.IsNullOrWhiteSpace(newName) ? id : newName.Trim(), policy, Ct));
            if (created == false)
            {
                errors.Add($"An agent with the id '{id}' already exists.");
            }
        }

        createErrors = errors;
        if (errors.Count > 0)
        {
            return;
        }

        Logger.LogInformation("Agent {AgentId} created by {Admin}", id, await AdminNameAsync());
        creating = false;
        (newId, newName, newPolicy) = ("", "", AgentPolicyJson.Template);
        Snackbar.Add($"Agent {id} created", Severity.Success);
        await SelectAsync(id);
    }

    private async Task SavePolicyAsync()
    {
        if (selected is null)
        {
            return;
        }

        if (!AgentPolicyJson.TryParse(editPolicy, out var policy, out var errors))
        {
            policyErrors = errors;
            return;
        }

        var auditErrors = new List<string>();
        var id = selected.Id;
        var updated = await AuditedAsync(auditErrors, async actor => await Admin.UpdatePolicyAsync(actor, id, policy, Ct));
        if (updated != true)
        {
            policyErrors = auditErrors.Count > 0 ? auditErrors : ["Only agents created in the console can be edited here."];
            return;
        }

        Logger.LogInformation("Policy of agent {AgentId} changed by {Admin}", selected.Id, await AdminNameAsync());
        Snackbar.Add($"Policy of {selected.Id} saved", Severity.Success);
        await ReloadAsync();
    }

    private async Task SaveMcpToolsAsync(IReadOnlyList<string>? tools)
    {
        if (selected is null)
        {
            return;
        }

        var errors = new List<string>();
        var id = selected.Id;
        var updated = await AuditedAsync(errors, async actor => await Admin.UpdateMcpToolsAsync(actor, id, tools, Rose.Mcp.RoseToolCatalog.Names, Ct));
        if (updated != true)
        {
            mcpErrors = errors.Count > 0 ? errors : ["Only agents created in the console can be edited here."];
            return;
        }

        Logger.LogInformation("MCP tools of agent {AgentId} set to {Tools} by {Admin}", id, tools is null ? "every tool" : string.Join(", ", tools), await AdminNameAsync());
        Snackbar.Add($"MCP tools of {id} saved", Severity.Success);
        await ReloadAsync();
    }

    private async Task ToggleDisabledAsync()
    {
        if (selected is null)
        {
            return;
        }

        var disable = selected.DisabledAt is null;
        var id = selected.Id;
        var errors = new List<string>();
        await AuditedAsync(errors, async actor => await Admin.SetDisabledAsync(actor, id, disable, Ct));
        policyErrors = errors;
        if (errors.Count > 0)
        {
            return;
        }

        Logger.LogInformation("Agent {AgentId} {Action} by {Admin}", selected.Id, disable ? "disabled" : "enabled", await AdminNameAsync());
        await ReloadAsync();
    }

    private async Task CreateKeyAsync()
    {
        if (selected is null)
        {
            return;
        }

        // A date without a time expires at the end of that day (UTC).
        DateTimeOffset? expires = newKeyDate is { } day
            ? new DateTimeOffset(DateTime.SpecifyKind(day.Date + (newKeyTime ?? new TimeSpan(23, 59, 0)), DateTimeKind.Utc))
            : null;
        if (expires <= DateTimeOffset.UtcNow)
        {
            keyErrors = ["The expiry must be in the future."];
            return;
        }

        var id = selected.Id;
        var errors = new List<string>();
        var created = await AuditedAsync(errors, async actor => await Admin.CreateKeyAsync(actor, id, expires, Ct));
        if (created is not { } made)
        {
            keyErrors = errors;
            return;
        }

        var (key, keyId) = made;

        Logger.LogInformation("API key {KeyId} created for agent {AgentId} by {Admin}", keyId, selected.Id, await AdminNameAsync());
        (newKeyDate, newKeyTime) = (null, null);
        keyErrors = [];
        await ReloadAsync();
        var dialog = await Dialogs.ShowAsync<ApiKeyDialog>("New API key",
            new DialogParameters<ApiKeyDialog> { { d => d.Key, key }, { d => d.ExpiresAt, expires } },
            new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true, BackdropClick = false, CloseOnEscapeKey = false });
        await dialog.Result;
    }

    private async Task RevokeAsync(ApiKeyInfo key)
    {
        if (selected is null)
        {
            return;
        }

        var confirmed = await Dialogs.ShowMessageBoxAsync("Revoke key", $"Revoke key {key.Prefix}? Calls with it fail at once.",
            yesText: "Revoke", cancelText: "Cancel");
        if (confirmed != true)
        {
            return;
        }

        var id = selected.Id;
        var errors = new List<string>();
        await AuditedAsync(errors, async actor => await Admin.RevokeKeyAsync(actor, id, key.Id, Ct));
        keyErrors = errors;
        if (errors.Count > 0)
        {
            return;
        }

        Logger.LogInformation("API key {KeyId} of agent {AgentId} revoked by {Admin}", key.Id, selected.Id, await AdminNameAsync());
        await ReloadAsync();
    }

    private async Task ReloadAsync()
    {
        agents = await Store.ListAsync(Ct);
        await LoadSelectedAsync();
    }

    private async Task<string> AdminNameAsync() =>
        (await AuthState.GetAuthenticationStateAsync()).User.Identity?.Name ?? "unknown";

    /// <summary>
    /// Runs one audited change as the signed-in admin. When the audit log cannot be written the change
    /// did not happen: the page says so instead of failing the circuit. Null then, and in <paramref name="errors"/>.
    /// </summary>
    private async Task<T?> AuditedAsync<T>(List<string> errors, Func<Rose.Core.Identity.Actor, Task<T>> change) where T : struct
    {
        var actor = CurrentIdentity.ToActor((await AuthState.GetAuthenticationStateAsync()).User);
        try
        {
            return await change(actor);
        }
        catch (Rose.Core.Audit.AuditUnavailableException ex)
        {
            Logger.LogError(ex, "Agent change by {Admin} refused: the audit log could not be written", actor.Id);
            errors.Add("The audit log could not be written, so nothing was changed. Try again later.");
            return null;
        }
    }

    private static string Time(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-dd HH:mm") + " UTC";

    private static string KeyStatus(ApiKeyInfo key) =>
        key.RevokedAt is not null ? "revoked"
        : key.ExpiresAt is { } expires && expires <= DateTimeOffset.UtcNow ? "expired"
        : "active";

    public void Dispose()
    {
        lifetime.Cancel();
        lifetime.Dispose();
    }
}

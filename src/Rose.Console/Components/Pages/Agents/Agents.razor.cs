using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Radzen;
using Rose.Core.Agents;

namespace Rose.Console.Components.Pages.Agents;

/// <summary>Admins list agents, create console agents, edit their policies, and create or revoke API keys.</summary>
public partial class Agents
{
    [Inject] private AgentStore Store { get; set; } = default!;
    [Inject] private DialogService Dialogs { get; set; } = default!;
    [Inject] private NotificationService Notifications { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private AuthenticationStateProvider AuthState { get; set; } = default!;
    [Inject] private ILogger<Agents> Logger { get; set; } = default!;

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
    private DateTime? newKeyExpires;
    private IReadOnlyList<string> keyErrors = [];

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

        if (errors.Count == 0 && !await Store.CreateAsync(id, string.IsNullOrWhiteSpace(newName) ? id : newName.Trim(), policy, Ct))
        {
            errors.Add($"An agent with the id '{id}' already exists.");
        }

        createErrors = errors;
        if (errors.Count > 0)
        {
            return;
        }

        Logger.LogInformation("Agent {AgentId} created by {Admin}", id, await AdminAsync());
        creating = false;
        (newId, newName, newPolicy) = ("", "", AgentPolicyJson.Template);
        Notifications.Notify(NotificationSeverity.Success, "Agent created", id);
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

        if (!await Store.UpdatePolicyAsync(selected.Id, policy, Ct))
        {
            policyErrors = ["Only agents created in the console can be edited here."];
            return;
        }

        Logger.LogInformation("Policy of agent {AgentId} changed by {Admin}", selected.Id, await AdminAsync());
        Notifications.Notify(NotificationSeverity.Success, "Policy saved", selected.Id);
        await ReloadAsync();
    }

    private async Task ToggleDisabledAsync()
    {
        if (selected is null)
        {
            return;
        }

        var disable = selected.DisabledAt is null;
        await Store.SetDisabledAsync(selected.Id, disable, Ct);
        Logger.LogInformation("Agent {AgentId} {Action} by {Admin}", selected.Id, disable ? "disabled" : "enabled", await AdminAsync());
        await ReloadAsync();
    }

    private async Task CreateKeyAsync()
    {
        if (selected is null)
        {
            return;
        }

        DateTimeOffset? expires = newKeyExpires is null ? null : new DateTimeOffset(DateTime.SpecifyKind(newKeyExpires.Value, DateTimeKind.Utc));
        if (expires <= DateTimeOffset.UtcNow)
        {
            keyErrors = ["The expiry must be in the future."];
            return;
        }

        var (key, keyId) = await Store.CreateKeyAsync(selected.Id, expires, Ct);
        Logger.LogInformation("API key {KeyId} created for agent {AgentId} by {Admin}", keyId, selected.Id, await AdminAsync());
        newKeyExpires = null;
        keyErrors = [];
        await ReloadAsync();
        await Dialogs.OpenAsync<ApiKeyDialog>("New API key",
            new Dictionary<string, object?> { [nameof(ApiKeyDialog.Key)] = key, [nameof(ApiKeyDialog.ExpiresAt)] = expires },
            new DialogOptions { Width = "40rem", CloseDialogOnOverlayClick = false });
    }

    private async Task RevokeAsync(ApiKeyInfo key)
    {
        if (selected is null)
        {
            return;
        }

        var confirmed = await Dialogs.Confirm($"Revoke key {key.Prefix}? Calls with it fail at once.", "Revoke key",
            new ConfirmOptions { OkButtonText = "Revoke", CancelButtonText = "Cancel" });
        if (confirmed != true)
        {
            return;
        }

        await Store.RevokeKeyAsync(selected.Id, key.Id, Ct);
        Logger.LogInformation("API key {KeyId} of agent {AgentId} revoked by {Admin}", key.Id, selected.Id, await AdminAsync());
        await ReloadAsync();
    }

    private async Task ReloadAsync()
    {
        agents = await Store.ListAsync(Ct);
        await LoadSelectedAsync();
    }

    private async Task<string> AdminAsync() =>
        (await AuthState.GetAuthenticationStateAsync()).User.Identity?.Name ?? "unknown";

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

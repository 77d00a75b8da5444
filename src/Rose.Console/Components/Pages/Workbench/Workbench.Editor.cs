using BlazorMonaco.Editor;
using Microsoft.JSInterop;
using Rose.Core.Sql;
using Rose.Core.Sql.Editing;
using Rose.Core.Workbench;

namespace Rose.Console.Components.Pages.Workbench;

/// <summary>A statement's live decision, shown as a badge above the results.</summary>
public sealed record StatementBadge(int Index, string Tag, Decision Decision, string Title);

/// <summary>Editor glue: Monaco set-up, live classification with markers, formatting, completion data.</summary>
public partial class Workbench
{
    private const string ParseOwner = "rose-parse";
    private const string RunOwner = "rose-run";

    private string currentText = string.Empty;
    private List<StatementBadge> badges = [];
    private string? previewError;
    private SchemaInfo? schema;
    private string? schemaError;

    private StandaloneEditorConstructionOptions EditorOptions(StandaloneCodeEditor _) => new()
    {
        Language = "pgsql",
        AutomaticLayout = true,
        Minimap = new EditorMinimapOptions { Enabled = false },
        ScrollBeyondLastLine = false,
        FontSize = 14,
        Value = string.Empty,
        WordBasedSuggestions = false,
    };

    private async Task OnEditorInitAsync()
    {
        module = await JS.InvokeAsync<IJSObjectReference>("import", lifetime.Token, "/assets/js/workbench.js");
        selfRef = DotNetObjectReference.Create(this);
        await module.InvokeVoidAsync("attach", lifetime.Token, "wb-editor", selfRef);
        await LoadSchemaAsync(refresh: false);
    }

    /// <summary>Called by the JS module 400 ms after the last keystroke.</summary>
    [JSInvokable]
    public async Task OnEditorChanged(string text)
    {
        currentText = text;
        await ClassifyAsync(text);
        StateHasChanged();
    }

    /// <summary>Ctrl+Enter (all = false) and Ctrl+Shift+Enter (all = true) inside the editor.</summary>
    [JSInvokable]
    public Task RunFromKeyboard(bool all) => InvokeAsync(() => RunAsync(all));

    private async Task ClassifyAsync(string text)
    {
        badges = [];
        previewError = null;
        var markers = new List<EditorMarker>();
        if (target is not null && !string.IsNullOrWhiteSpace(text))
        {
            try
            {
                var (batch, decision) = Execution.Preview(target, text, policy);
                foreach (var statement in batch.Statements)
                {
                    var own = decision.Statements.FirstOrDefault(s => s.Index == statement.Index);
                    var reasons = own?.Reasons ?? [];
                    var title = $"{string.Join(", ", statement.Operations)}\n{string.Join("\n", reasons)}".Trim();
                    badges.Add(new StatementBadge(statement.Index, statement.Tag, own?.Decision ?? decision.Decision, title));
                    if (statement.Error is { } error)
                    {
                        markers.Add(new EditorMarker(error.Position ?? statement.Start, 1, error.Message));
                    }
                }

                // Batch-level reasons (e.g. the target is not allowed) have no statement of their own.
                if (decision.Statements.Count == 0 && decision.Decision == Decision.Deny)
                {
                    previewError = string.Join("; ", decision.Reasons);
                }
            }
            catch (ExecutionRequestException ex)
            {
                previewError = ex.Message;
            }
        }

        await SetMarkersAsync(ParseOwner, markers);
    }

    private async Task SetMarkersAsync(string owner, IReadOnlyList<EditorMarker> markers)
    {
        if (module is null)
        {
            return;
        }

        await module.InvokeVoidAsync("setMarkers", lifetime.Token, "wb-editor", owner, markers.Select(m => new
        {
            offset = m.Offset,
            length = m.Length,
            message = m.Message,
            severity = m.Severity,
        }));
    }

    private async Task FormatAsync()
    {
        if (editor is null)
        {
            return;
        }

        var text = await editor.GetValue();
        var formatted = SqlFormatter.Format(text);
        // Safety net: keep the user's text unless the parser sees the same statements, operations included.
        if (target is not null && !string.IsNullOrWhiteSpace(text))
        {
            var before = Execution.Preview(target, text, policy).Batch.Statements;
            var after = Execution.Preview(target, formatted, policy).Batch.Statements;
            if (before.Count != after.Count || before.Zip(after).Any(p => p.First.Tag != p.Second.Tag
                || !p.First.Operations.SequenceEqual(p.Second.Operations)))
            {
                return;
            }
        }

        await editor.SetValue(formatted);
    }

    private async Task OpenSqlAsync(string sql)
    {
        if (editor is null)
        {
            return;
        }

        await editor.SetValue(sql);
        await editor.Focus();
    }

    private async Task InsertTextAsync(string text)
    {
        if (editor is null)
        {
            return;
        }

        var selection = await editor.GetSelection();
        await editor.ExecuteEdits("schema-browser", [new IdentifiedSingleEditOperation { Range = selection, Text = text, ForceMoveMarkers = true }], (List<BlazorMonaco.Selection>?)null);
        await editor.Focus();
    }

    private async Task CopyAsync(string text)
    {
        if (module is not null)
        {
            await module.InvokeAsync<bool>("copyText", lifetime.Token, text);
        }
    }

    private async Task LoadSchemaAsync(bool refresh)
    {
        if (target is null || executor is null)
        {
            return;
        }

        try
        {
            schemaError = null;
            schema = await Catalog.GetAsync(target, executor, policy, refresh, lifetime.Token);
            if (module is not null)
            {
                await module.InvokeVoidAsync("setCompletion", lifetime.Token, new
                {
                    schemas = schema.Relations.Select(r => r.Schema).Distinct().ToArray(),
                    relations = schema.Relations.Select(r => new { schema = r.Schema, name = r.Name, kind = r.Kind }).ToArray(),
                    columns = schema.Relations.SelectMany(r => r.Columns.Select(c => new { table = r.Name, name = c.Name, type = c.Type })).ToArray(),
                });
            }
        }
        catch (InvalidOperationException ex)
        {
            schemaError = ex.Message;
        }
        catch (OperationCanceledException) when (lifetime.IsCancellationRequested)
        {
            // The page is closing.
        }

        historyVersion++;
        StateHasChanged();
    }
}

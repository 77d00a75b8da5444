namespace Rose.Console.Components.Pages.Audit;

/// <summary>One active filter as a chip, and how to drop it from the filter.</summary>
public sealed record AuditFilterChip(string Key, string Label, Func<AuditFilter, AuditFilter> Remove);

public partial class AuditFilters
{
    [Parameter, EditorRequired] public AuditFilter Filter { get; set; } = new();

    /// <summary>The new filter (cursor reset: a changed filter starts from the newest row).</summary>
    [Parameter] public EventCallback<AuditFilter> OnChange { get; set; }

    [Parameter] public RenderFragment? ChildContent { get; set; }

    private bool editing;
    private Draft draft = new();

    internal IReadOnlyList<AuditFilterChip> Chips => ChipsOf(Filter);

    protected override void OnParametersSet() => draft = Draft.Of(Filter);

    public static IReadOnlyList<AuditFilterChip> ChipsOf(AuditFilter f)
    {
        var chips = new List<AuditFilterChip>();
        void Add(string key, string? value, Func<AuditFilter, AuditFilter> remove)
        {
            if (!string.IsNullOrEmpty(value))
            {
                chips.Add(new AuditFilterChip(key, $"{key}: {value}", remove));
            }
        }

        Add("database", f.Database, x => x with { Database = null });
        Add("executor", f.Executor, x => x with { Executor = null });
        Add("kind", f.ExecutorKind, x => x with { ExecutorKind = null });
        Add("channel", f.Channel, x => x with { Channel = null });
        Add("operation", f.Operation, x => x with { Operation = null });
        Add("decision", f.Decision, x => x with { Decision = null });
        Add("status", f.Status, x => x with { Status = null });
        Add("from", f.From?.UtcDateTime.ToString("yyyy-MM-dd HH:mm"), x => x with { From = null });
        Add("to", f.To?.UtcDateTime.ToString("yyyy-MM-dd HH:mm"), x => x with { To = null });
        Add("text", f.Text, x => x with { Text = null });
        return chips;
    }

    private Task RemoveAsync(AuditFilterChip chip) => OnChange.InvokeAsync(chip.Remove(Filter).WithoutCursor());

    private Task ClearAsync() => OnChange.InvokeAsync(new AuditFilter { Limit = Filter.Limit });

    private Task ApplyAsync()
    {
        editing = false;
        return OnChange.InvokeAsync(draft.ToFilter(Filter.Limit));
    }

    /// <summary>The editable copy of the filter; dates and times are UTC, as the page shows them.</summary>
    private sealed class Draft
    {
        public string? Database { get; set; }
        public string? Executor { get; set; }
        public string? Kind { get; set; }
        public string? Channel { get; set; }
        public string? Operation { get; set; }
        public string? Decision { get; set; }
        public string? Status { get; set; }
        public string? Text { get; set; }
        public DateTime? FromDate { get; set; }
        public TimeSpan? FromTime { get; set; }
        public DateTime? ToDate { get; set; }
        public TimeSpan? ToTime { get; set; }

        public static Draft Of(AuditFilter f) => new()
        {
            Database = f.Database, Executor = f.Executor, Kind = f.ExecutorKind, Channel = f.Channel, Operation = f.Operation,
            Decision = f.Decision, Status = f.Status, Text = f.Text,
            FromDate = f.From?.UtcDateTime.Date, FromTime = f.From?.UtcDateTime.TimeOfDay,
            ToDate = f.To?.UtcDateTime.Date, ToTime = f.To?.UtcDateTime.TimeOfDay,
        };

        public AuditFilter ToFilter(int limit) => new()
        {
            Limit = limit,
            Database = Blank(Database), Executor = Blank(Executor), ExecutorKind = Blank(Kind), Channel = Blank(Channel),
            Operation = Blank(Operation), Decision = Blank(Decision), Status = Blank(Status), Text = Blank(Text),
            From = At(FromDate, FromTime), To = At(ToDate, ToTime),
        };

        private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

        private static DateTimeOffset? At(DateTime? date, TimeSpan? time) =>
            date is { } d ? new DateTimeOffset(DateTime.SpecifyKind(d.Date + (time ?? TimeSpan.Zero), DateTimeKind.Utc)) : null;
    }
}

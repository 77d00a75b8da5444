using Bunit;
using Rose.Console.Components.Pages.Migrations;
using Rose.Core.Migrations;
using Rose.Core.Migrations.Lint;
using Rose.Core.Policy;
using Rose.Core.Sql;

namespace Rose.Console.Tests.Components.Migrations;

/// <summary>The Migrations page's parts, rendered on their own: status, plan, lint, snapshots.</summary>
public sealed class MigrationComponentTests : ComponentTestContext, IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    // MudBlazor's KeyInterceptorService is only IAsyncDisposable: dispose the context asynchronously
    // (the synchronous Dispose xunit calls afterwards then finds it already disposed).
    async Task IAsyncLifetime.DisposeAsync() => await base.DisposeAsync();

    private static MigrationScript Script(string name, string sql)
    {
        Assert.True(MigrationNaming.TryCreate(name, sql, out var script, out var error), error);
        return script;
    }

    private static PlannedMigration Planned(string name, Decision decision, bool allOrNothing, params LintFinding[] findings) =>
        new(Script(name, "CREATE TABLE t (id int);"), new SqlBatch("CREATE TABLE t (id int);", []), allOrNothing, decision,
            decision == Decision.Allow ? [] : ["CREATE TABLE needs approval"],
            [new PlannedStatement(0, "CREATE TABLE", StatementKind.Ddl, ["CREATE TABLE"], ["t"], false, false, decision, [], "CREATE TABLE t (id int);", null)],
            findings);

    private static MigrationPlan Plan(Decision decision, params PlannedMigration[] migrations) =>
        new("demo", new MigrationStatusReport("demo", []), migrations, decision, []);

    [Fact]
    public void StatusTable_RendersOneRowPerEntry_WithItsState()
    {
        var cut = Render<MigrationStatusTable>(p => p.Add(c => c.Entries, new List<MigrationStatusEntry>
        {
            new(MigrationType.Versioned, "1", "create notes", "V1__create_notes.sql", MigrationState.Applied, DateTimeOffset.UnixEpoch, "alice", HasUndo: true),
            new(MigrationType.Versioned, "2", "seed notes", "V2__seed_notes.sql", MigrationState.Pending),
            new(MigrationType.Versioned, "3", "late", "V3__late.sql", MigrationState.OutOfOrder),
        }));

        var rows = cut.FindAll("tbody tr");
        Assert.Equal(3, rows.Count);
        Assert.Equal(["applied", "pending", "out_of_order"], rows.Select(r => r.GetAttribute("data-state")));
        Assert.Contains("V1__create_notes.sql", rows[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("alice", rows[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("yes", rows[0].TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void StatusTable_ShowsRForRepeatables()
    {
        var cut = Render<MigrationStatusTable>(p => p.Add(c => c.Entries, new List<MigrationStatusEntry>
        {
            new(MigrationType.Repeatable, null, "views", "R__views.sql", MigrationState.Pending),
        }));

        Assert.Equal("R", cut.Find("tbody td").TextContent.Trim());
    }

    [Fact]
    public void PlanView_ShowsDecisionStatementsAndLint()
    {
        var finding = new LintFinding("require-lock-timeout", LintSeverity.Warning, 0, "The migration runs DDL without setting lock_timeout first.", "SET lock_timeout");
        var cut = Render<MigrationPlanView>(p => p.Add(c => c.Plan, Plan(Decision.Allow, Planned("V1__t.sql", Decision.Allow, true, finding))));

        Assert.Contains("allow", cut.Find("[data-testid=plan-decision]").TextContent, StringComparison.Ordinal);
        Assert.Single(cut.FindAll("[data-testid=plan-migration]"));
        Assert.Equal("allow", cut.Find("tr[data-decision]").GetAttribute("data-decision"));
        var lint = cut.Find("[data-testid=plan-lint]");
        Assert.Contains("require-lock-timeout", lint.TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-testid=plan-reason]"));
    }

    [Fact]
    public void PlanView_NotAllowed_ShowsTheReasonsAndTheNotAllOrNothingFlag()
    {
        var cut = Render<MigrationPlanView>(p => p.Add(c => c.Plan, Plan(Decision.Approval, Planned("V2__t.sql", Decision.Approval, false))));

        Assert.Contains("V2__t.sql: CREATE TABLE needs approval", cut.Find("[data-testid=plan-reason]").TextContent, StringComparison.Ordinal);
        Assert.Contains("not all-or-nothing", cut.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void PlanView_UpToDate_SaysSo()
    {
        var cut = Render<MigrationPlanView>(p => p.Add(c => c.Plan, Plan(Decision.Allow)));

        Assert.Contains("up to date", cut.Find("[data-testid=plan-decision]").TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-testid=plan-migration]"));
    }

    [Fact]
    public void LintList_MarksEachFindingWithItsSeverity()
    {
        var cut = Render<LintFindingList>(p => p
            .Add(c => c.Findings, new List<LintFinding>
            {
                new("ban-drop", LintSeverity.Error, 1, "drops a table"),
                new("prefer-robust-stmts", LintSeverity.Info, null, "CREATE TABLE without IF NOT EXISTS"),
            })
            .Add(c => c.TestId, "author-lint"));

        var items = cut.FindAll("[data-severity]");
        Assert.Equal(["error", "info"], items.Select(i => i.GetAttribute("data-severity")));
        Assert.Contains("(statement 2)", items[0].TextContent, StringComparison.Ordinal);
        Assert.NotNull(cut.Find("[data-testid=author-lint]"));
    }

    [Fact]
    public void LintList_WithoutFindings_ShowsTheEmptyTextOrNothing()
    {
        var clean = Render<LintFindingList>(p => p.Add(c => c.Findings, new List<LintFinding>()).Add(c => c.EmptyText, "Lint: no findings.").Add(c => c.TestId, "author-lint"));
        Assert.Equal("Lint: no findings.", clean.Find("[data-testid=author-lint-clean]").TextContent.Trim());

        var silent = Render<LintFindingList>(p => p.Add(c => c.Findings, new List<LintFinding>()));
        Assert.Equal(string.Empty, silent.Markup.Trim());
    }

    [Fact]
    public void Snapshots_Empty_SaysOneIsTakenBeforeEveryApply()
    {
        var cut = Render<SnapshotList>(p => p.Add(c => c.Snapshots, new List<MigrationSnapshot>()));

        Assert.Contains("one is taken before every apply", cut.Find("[data-testid=no-snapshots]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Snapshots_Admin_RequestsARestoreOfTheClickedSnapshot()
    {
        string? requested = null;
        var cut = Render<SnapshotList>(p => p
            .Add(c => c.Snapshots, new List<MigrationSnapshot>
            {
                new("demo", "demo-20261201-1.sql", "/tmp/a", 2048, DateTimeOffset.UnixEpoch),
                new("demo", "demo-20261201-2.sql", "/tmp/b", 4096, DateTimeOffset.UnixEpoch),
            })
            .Add(c => c.CanRestore, true)
            .Add(c => c.OnRestore, name => requested = name));

        Assert.Equal(2, cut.FindAll("[data-testid=migration-snapshots] tbody tr").Count);
        cut.FindAll("[data-testid=snapshot-restore]")[1].Click();
        Assert.Equal("demo-20261201-2.sql", requested);
    }

    [Fact]
    public void Snapshots_NotAdmin_HasNoRestoreButton()
    {
        var cut = Render<SnapshotList>(p => p
            .Add(c => c.Snapshots, new List<MigrationSnapshot> { new("demo", "s.sql", "/tmp/s", 1, DateTimeOffset.UnixEpoch) })
            .Add(c => c.CanRestore, false));

        Assert.Empty(cut.FindAll("[data-testid=snapshot-restore]"));
    }

    [Fact]
    public void DraftJoin_AddsTheDraftToTheFolder_AndRefusesAClash()
    {
        var folder = MigrationSet.From([("V1__a.sql", "CREATE TABLE a (id int);")]);

        var joined = DraftReviewer.Join(folder, new MigrationDraft("V2__b.sql", "CREATE TABLE b (id int);"));
        Assert.Equal(["V1__a.sql", "V2__b.sql"], joined.Versioned.Select(s => s.FileName));

        var clash = Assert.Throws<MigrationException>(() => DraftReviewer.Join(folder, new MigrationDraft("V1__again.sql", "SELECT 1;")));
        Assert.Contains("more than one", clash.Message, StringComparison.Ordinal);
        Assert.Throws<MigrationException>(() => DraftReviewer.Join(folder, new MigrationDraft("V2__empty.sql", "  ")));
    }

    [Fact]
    public void DraftNextName_IsOneAboveTheHighestVersionOfFolderAndHistory()
    {
        var folder = MigrationSet.From([("V1__a.sql", "SELECT 1;"), ("V4__d.sql", "SELECT 1;"), ("R__r.sql", "SELECT 1;")]);
        var status = new MigrationStatusReport("demo", [new MigrationStatusEntry(MigrationType.Versioned, "7", "gone", null, MigrationState.Missing)]);

        Assert.Equal("V5__new_migration.sql", DraftReviewer.NextName(folder, null));
        Assert.Equal("V8__new_migration.sql", DraftReviewer.NextName(folder, status));
        Assert.Equal("V1__new_migration.sql", DraftReviewer.NextName(MigrationSet.Empty, null));
    }
}

using Rose.E2E.Tests.Infrastructure;

namespace Rose.E2E.Tests.Workbench;

/// <summary>Tests that start each case on /workbench, signed in as the operator alice, with the editor ready.</summary>
public abstract class SignedInWorkbenchTests(RoseConsoleFixture fixture) : IAsyncLifetime
{
    protected RoseConsoleFixture Fixture { get; } = fixture;

    protected IPage Page { get; private set; } = default!;

    protected WorkbenchPage Workbench { get; private set; } = default!;

    public async Task InitializeAsync()
    {
        Page = await Fixture.SignInAsync("alice", "/workbench");
        Workbench = new WorkbenchPage(Page);
        await Workbench.WaitReadyAsync();
    }

    public async Task DisposeAsync() => await Page.Context.CloseAsync();
}

using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Rose.Console.Auth;
using Rose.Console.Components.Layout;
using Rose.Core.Approvals;
using Rose.Core.Control;
using Rose.Core.Targets;

namespace Rose.Console.Tests.Components.Layout;

/// <summary>The shell: who is signed in, the navigation for their role, and the theme toggle kept per user.</summary>
public sealed class MainLayoutTests : ComponentTestContext
{
    private readonly Bunit.TestDoubles.BunitAuthorizationContext auth;

    public MainLayoutTests()
    {
        auth = AddAuthorization();
        // The palette lists pending approvals from the control database; these tests never open it,
        // so the store only needs to exist (its data source connects lazily).
        Services.AddSingleton(new TargetRegistry());
        Services.AddSingleton(new ControlDatabase("Host=127.0.0.1;Port=1;Database=none;Username=none"));
        Services.AddSingleton<ApprovalStore>();
        Services.AddLogging();
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        // Loose JS interop: no saved theme (null) and a light system preference (false) unless a test sets one.
    }

    private IRenderedComponent<MainLayout> RenderAs(string user, string role)
    {
        auth.SetAuthorized(user);
        auth.SetRoles([.. RoseRoles.Including(role)]);
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, user), new Claim(RoseClaims.Kind, "human"));
        return Render<MainLayout>(p => p.Add(l => l.Body, (RenderFragment)(b => b.AddMarkupContent(0, "<h1>Body</h1>"))));
    }

    [Fact]
    public void Render_Admin_ShowsUserRoleSignOutAndEveryPage()
    {
        var cut = RenderAs("carol", RoseRoles.Admin);

        Assert.Equal("carol", cut.Find("[data-testid=current-user]").TextContent);
        Assert.Equal("admin", cut.Find("[data-testid=current-role]").TextContent);
        Assert.Equal("/signout", cut.Find("form.rose-signout").GetAttribute("action"));
        var links = cut.FindAll(".rose-nav a").Select(a => a.TextContent.Trim()).ToList();
        Assert.Equal(ConsolePages.All.Select(p => p.Title), links);
        Assert.NotNull(cut.Find("main[data-interactive]"));
    }

    [Fact]
    public void Render_Viewer_HidesWorkbenchAndAgents()
    {
        var cut = RenderAs("dave", RoseRoles.Viewer);

        var links = cut.FindAll(".rose-nav a").Select(a => a.TextContent.Trim()).ToList();
        Assert.Contains("Audit", links);
        Assert.DoesNotContain("Workbench", links);
        Assert.DoesNotContain("Agents", links);
    }

    [Fact]
    public void ThemeToggle_Click_SwitchesToDarkAndRemembersItForThisUser()
    {
        var cut = RenderAs("carol", RoseRoles.Admin);
        Assert.Empty(cut.FindAll(".rose-dark"));

        cut.Find("[data-testid=theme-toggle]").Click();

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll(".rose-root.rose-dark")));
        var saved = JSInterop.Invocations["roseShell.setTheme"].Single();
        Assert.Equal(["carol", "dark"], saved.Arguments);
        Assert.Equal("Switch to the light theme", cut.Find("[data-testid=theme-toggle]").GetAttribute("aria-label"));
    }

    [Fact]
    public void FirstRender_SavedDarkChoice_StartsDark()
    {
        JSInterop.Setup<string?>("roseShell.getTheme", i => Equals(i.Arguments[0], "bob")).SetResult("dark");

        var cut = RenderAs("bob", RoseRoles.Approver);

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll(".rose-root.rose-dark")));
        Assert.Contains(JSInterop.Invocations, i => i.Identifier == "roseShell.register");
    }

    [Fact]
    public void NavToggle_Click_FlipsExpanded()
    {
        // A responsive drawer starts closed or open depending on the screen; the button flips whichever it is.
        var cut = RenderAs("carol", RoseRoles.Admin);
        var before = cut.Find("[data-testid=nav-toggle]").GetAttribute("aria-expanded");

        cut.Find("[data-testid=nav-toggle]").Click();

        cut.WaitForAssertion(() => Assert.Equal(before == "true" ? "false" : "true", cut.Find("[data-testid=nav-toggle]").GetAttribute("aria-expanded")));
    }
}

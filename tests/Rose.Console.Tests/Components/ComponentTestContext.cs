using Bunit;
using MudBlazor.Services;

namespace Rose.Console.Tests.Components;

/// <summary>
/// A bunit context with MudBlazor's services and a loose JS runtime (MudBlazor components call into
/// their own JS for popovers and focus; those calls have no observable result in a component test).
/// </summary>
public abstract class ComponentTestContext : BunitContext
{
    protected ComponentTestContext()
    {
        Services.AddMudServices();
        JSInterop.Mode = JSRuntimeMode.Loose;
    }
}

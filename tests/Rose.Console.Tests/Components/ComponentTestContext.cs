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

    /// <summary>
    /// xUnit 2 disposes test classes through Dispose(), but MudBlazor registers services that can only be
    /// disposed asynchronously (KeyInterceptorService, PointerEventsNoneService): dispose them that way.
    /// </summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            DisposeAsyncCore().AsTask().GetAwaiter().GetResult();
        }

        base.Dispose(false);
    }
}

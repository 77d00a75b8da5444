using System.Text.Json;
using Rose.E2E.Tests.Infrastructure;

namespace Rose.E2E.Tests.Accessibility;

/// <summary>One axe-core violation: the rule, its impact and the elements it found.</summary>
public sealed record AxeViolation(string Id, string Impact, string Help, IReadOnlyList<string> Targets)
{
    public override string ToString() => $"{Impact} {Id}: {Help} at {string.Join(" | ", Targets.Take(5))}";
}

/// <summary>
/// axe-core (npm, tests/axe) injected into a page by Playwright and run there. The package is
/// installed into the ignored tests/axe/node_modules by scripts/test.sh, or here on first use.
/// </summary>
public static class AxeCore
{
    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    public static async Task<string> ScriptPathAsync()
    {
        var dir = Path.Combine(BuiltProgram.RepositoryRoot(), "tests", "axe");
        var script = Path.Combine(dir, "node_modules", "axe-core", "axe.min.js");
        await InstallLock.WaitAsync();
        try
        {
            if (!File.Exists(script))
            {
                var npm = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("npm", "ci --no-audit --no-fund --loglevel=error")
                {
                    WorkingDirectory = dir,
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                })!;
                await npm.WaitForExitAsync();
                if (!File.Exists(script))
                {
                    throw new InvalidOperationException($"axe-core is not installed in {dir}: run `npm ci` there ({await npm.StandardError.ReadToEndAsync()})");
                }
            }
        }
        finally
        {
            InstallLock.Release();
        }

        return script;
    }

    /// <summary>Runs every WCAG 2.x A/AA rule axe has on the page as it is now; returns the serious and critical violations.</summary>
    public static async Task<IReadOnlyList<AxeViolation>> SeriousViolationsAsync(IPage page)
    {
        await page.AddScriptTagAsync(new PageAddScriptTagOptions { Path = await ScriptPathAsync() });
        var json = await page.EvaluateAsync<JsonElement>("""
            async () => {
              const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }, resultTypes: ['violations'] });
              return result.violations.map(v => ({ id: v.id, impact: v.impact || '', help: v.help, targets: v.nodes.map(n => n.target.join(' ') + ' (' + (n.failureSummary || '').replace(/\s+/g, ' ').trim() + ')') }));
            }
            """);
        return json.EnumerateArray()
            .Select(v => new AxeViolation(v.GetProperty("id").GetString()!, v.GetProperty("impact").GetString()!, v.GetProperty("help").GetString()!,
                v.GetProperty("targets").EnumerateArray().Select(t => t.GetString()!).ToList()))
            .Where(v => v.Impact is "serious" or "critical")
            .ToList();
    }

    /// <summary>How many pixels the page scrolls sideways (0 when it fits).</summary>
    public static Task<int> SidewaysOverflowAsync(IPage page) =>
        page.EvaluateAsync<int>("() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - document.documentElement.clientWidth");
}

using System.Text.RegularExpressions;
using Markdig;
using Markdig.Renderers;
using Markdig.Renderers.Html;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace Rose.Console.Components.Pages.Devlogs;

/// <summary>
/// Markdown to HTML for content written by people and agents, so never trusted: raw HTML is shown as
/// text (DisableHtml), and every link or image whose URL is not http(s), mailto or relative is
/// neutralised (javascript:, data:, vbscript: and obfuscated forms such as "java&#x09;script:").
/// Text itself is HTML-encoded by Markdig's renderer.
/// </summary>
public static partial class SafeMarkdown
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .DisableHtml()
        .UsePipeTables()
        .UseEmphasisExtras()
        .UseTaskLists()
        .Build();

    public static string ToHtml(string? markdown)
    {
        if (string.IsNullOrEmpty(markdown))
        {
            return "";
        }

        var document = Markdown.Parse(markdown, Pipeline);
        foreach (var link in document.Descendants<LinkInline>())
        {
            if (!IsSafeUrl(link.Url, allowMailto: !link.IsImage))
            {
                link.Url = "#";
            }

            if (!link.IsImage)
            {
                link.GetAttributes().AddPropertyIfNotExist("rel", "nofollow noopener noreferrer");
            }
        }

        foreach (var auto in document.Descendants<AutolinkInline>())
        {
            if (!auto.IsEmail && !IsSafeUrl(auto.Url, allowMailto: false))
            {
                auto.Url = "#";
            }
        }

        using var writer = new StringWriter();
        var renderer = new HtmlRenderer(writer);
        Pipeline.Setup(renderer);
        renderer.Render(document);
        writer.Flush();
        return writer.ToString();
    }

    /// <summary>Relative URLs and http, https (and for links mailto) only.</summary>
    public static bool IsSafeUrl(string? url, bool allowMailto = true)
    {
        if (string.IsNullOrEmpty(url))
        {
            return true;
        }

        // Browsers ignore whitespace and control characters inside a scheme; so must the check.
        var compact = Invisible().Replace(url, "");
        var scheme = Scheme().Match(compact);
        if (!scheme.Success)
        {
            // No scheme: relative (a ':' can only follow a '/', '?' or '#'), unless it starts with "//" elsewhere-host tricks with backslashes.
            return !compact.StartsWith(@"\\", StringComparison.Ordinal) && !compact.StartsWith("/\\", StringComparison.Ordinal);
        }

        var name = scheme.Groups[1].Value.ToLowerInvariant();
        return name is "http" or "https" || (allowMailto && name == "mailto");
    }

    [GeneratedRegex(@"[\s\x00-\x1f\x7f]+")]
    private static partial Regex Invisible();

    [GeneratedRegex(@"^([A-Za-z][A-Za-z0-9+.\-]*):")]
    private static partial Regex Scheme();
}

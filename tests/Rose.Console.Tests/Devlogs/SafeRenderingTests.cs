using Rose.Console.Components.Pages.Audit;
using Rose.Console.Components.Pages.Devlogs;

namespace Rose.Console.Tests.Devlogs;

/// <summary>The two places Rose emits markup from user text: markdown and the SQL highlighter.</summary>
public sealed class SafeRenderingTests
{
    [Theory]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("<img src=x onerror=alert(1)>")]
    [InlineData("<a href=\"javascript:alert(1)\">x</a>")]
    [InlineData("<iframe src=\"https://evil\"></iframe>")]
    public void ToHtml_RawHtml_IsEscapedText(string payload)
    {
        var html = SafeMarkdown.ToHtml("before\n\n" + payload + "\n\ninline " + payload);

        Assert.DoesNotContain(payload, html, StringComparison.Ordinal);
        Assert.Contains("&lt;", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[x](javascript:alert(1))", false)]
    [InlineData("[x](JaVaScRiPt:alert(1))", false)]
    [InlineData("[x](&#106;avascript:alert(1))", false)]
    [InlineData("[x](<java\tscript:alert(1)>)", false)]
    [InlineData("[x](data:text/html;base64,PHNjcmlwdD4=)", false)]
    [InlineData("[x](vbscript:msgbox(1))", false)]
    [InlineData("![x](javascript:alert(1))", false)]
    [InlineData("<javascript:alert(1)>", false)]
    [InlineData("[x](https://example.com/a?b=c)", true)]
    [InlineData("[x](/audit?detail=5)", true)]
    [InlineData("[x](mailto:ops@example.com)", true)]
    public void ToHtml_Links_OnlySafeSchemesSurvive(string markdown, bool kept)
    {
        var html = SafeMarkdown.ToHtml(markdown);

        Assert.DoesNotContain("javascript:", html.Replace("&amp;", "&", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("data:text", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("vbscript:", html, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(kept, !html.Contains("href=\"#\"", StringComparison.Ordinal) && !html.Contains("src=\"#\"", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("SELECT '<script>alert(1)</script>'", "&lt;script&gt;alert(1)&lt;/script&gt;")]
    [InlineData("SELECT 1 -- <img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;")]
    [InlineData("SELECT $$</span><script>x</script>$$", "&lt;/span&gt;&lt;script&gt;x&lt;/script&gt;")]
    [InlineData("SELECT \"<b>\" FROM t /* & */", "&quot;&lt;b&gt;&quot;")]
    [InlineData("SELECT E'\\'<svg onload=1>'", "&lt;svg onload=1&gt;")]
    [InlineData("SELECT 'unterminated <script>", "&lt;script&gt;")]
    public void SqlHighlighter_HostileSql_IsEncodedInsideItsOwnSpans(string sql, string encoded)
    {
        var html = SqlHighlighter.ToHtml(sql);

        Assert.Contains(encoded, html, StringComparison.Ordinal);
        var stripped = System.Text.RegularExpressions.Regex.Replace(html, "</?span( class=\"sql-[a-z]+\")?>", "");
        Assert.DoesNotContain('<', stripped);
        Assert.Equal(sql, System.Net.WebUtility.HtmlDecode(stripped));
    }
}

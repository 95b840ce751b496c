using System.Text;
using Notifier.Notifications.Events;
using Notifier.Notifications.Recipients;
using Notifier.Smtp.Messages;

namespace Notifier.Notifications.Tests.Rendering;

/// <summary>Each test names one attack or awkward input and fails without the protection against it.</summary>
public sealed class HostileInputTests
{
    private static readonly RecipientSet OneReviewer = new([TestEvents.To(TestEvents.Tomas, RecipientReason.Reviewer)], 0, []);

    private static EmailMessage Render(NotificationEvent e) => Assert.Single(TestEvents.Renderer().Render(e, OneReviewer));

    private static NotificationEvent Opened(Func<PullRequest, PullRequest> change) =>
        TestEvents.All[EventTypes.PullRequestOpened] with { PullRequest = change(TestEvents.RetryBudget()) };

    private static NotificationEvent Commented(string text) =>
        TestEvents.All[EventTypes.PullRequestCommentAdded] with
        {
            Comment = TestEvents.All[EventTypes.PullRequestCommentAdded].Comment! with { Text = text, Parent = null },
        };

    [Fact]
    public void ScriptTagInTitleIsShownAsTextNotRun()
    {
        var message = Render(Opened(pr => pr with { Title = "Fix <script>alert('x')</script> now" }));

        Assert.DoesNotContain("<script", message.HtmlBody, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Fix &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; now", message.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("Fix <script>alert('x')</script> now", message.Subject, StringComparison.Ordinal);
    }

    [Fact]
    public void ScriptTagInCommentIsShownAsTextNotRun()
    {
        var message = Render(Commented("Look: <script>steal()</script> and <b onmouseover=x>bold</b>"));

        Assert.DoesNotContain("<script", message.HtmlBody, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<b onmouseover", message.HtmlBody, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;steal()&lt;/script&gt;", message.HtmlBody, StringComparison.Ordinal);
    }

    [Fact]
    public void ScriptTagInDisplayNameIsEscaped()
    {
        var e = TestEvents.All[EventTypes.PullRequestApproved] with { Actor = new User("mal", "<script>x()</script>\"onload=\"", "mal@example.com") };

        var message = Render(e);

        Assert.DoesNotContain("<script", message.HtmlBody, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("\"onload=\"", message.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;x()&lt;/script&gt;&quot;onload=&quot;", message.HtmlBody, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[click me](javascript:alert(document.cookie))")]
    [InlineData("[click me](JaVaScRiPt:alert(1))")]
    [InlineData("[click me](data:text/html;base64,PHNjcmlwdD4=)")]
    [InlineData("[click me](vbscript:msgbox)")]
    [InlineData("[click me][ref]\n\n[ref]: javascript:alert(1)")]
    [InlineData("<javascript:alert(1)>")]
    public void UnsafeMarkdownLinkBecomesText(string markdown)
    {
        var message = Render(Commented(markdown));

        var hrefs = EscapingPropertyTests.Hrefs(message.HtmlBody!);
        Assert.DoesNotContain("javascript:", hrefs, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("data:", hrefs, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("vbscript:", hrefs, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void UnsafeMarkdownLinkKeepsItsText()
    {
        var message = Render(Commented("please [click me](javascript:alert(1)) now"));

        Assert.Contains("please click me now", message.HtmlBody, StringComparison.Ordinal);
    }

    [Fact]
    public void SafeMarkdownLinksStayLinks()
    {
        var message = Render(Commented("[docs](https://docs.example.com/a?b=1&c=2), [mail](mailto:ops@example.com), https://bare.example.com/x"));

        var hrefs = EscapingPropertyTests.Hrefs(message.HtmlBody!);
        Assert.Contains("https://docs.example.com/a?b=1&c=2", hrefs, StringComparison.Ordinal);
        Assert.Contains("mailto:ops@example.com", hrefs, StringComparison.Ordinal);
        Assert.Contains("https://bare.example.com/x", hrefs, StringComparison.Ordinal);
    }

    [Fact]
    public void JavascriptUrlFromTheEventIsNotALink()
    {
        var message = Render(Opened(pr => pr with { Url = new Uri("javascript:alert(1)") }));

        Assert.DoesNotContain("javascript:", EscapingPropertyTests.Hrefs(message.HtmlBody!), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("javascript:", message.TextBody, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void CrLfInTitleDoesNotCreateAHeader()
    {
        var message = Render(Opened(pr => pr with { Title = "Harmless\r\nBcc: victim@example.com\r\n\r\n<b>body</b>" }));

        Assert.DoesNotContain('\r', message.Subject);
        Assert.DoesNotContain('\n', message.Subject);
        Assert.Contains("Harmless Bcc: victim@example.com <b>body</b>", message.Subject, StringComparison.Ordinal);
    }

    [Fact]
    public void CrLfInDisplayNameDoesNotCreateAHeader()
    {
        var e = TestEvents.All[EventTypes.PullRequestApproved] with { Actor = new User("mal", "Mal\r\nX-Evil: 1\u0000\u2028", "mal@example.com") };

        var message = Render(e);

        EscapingPropertyTests.AssertHeaderSafe(message.Subject);
        Assert.Contains("Mal X-Evil: 1 approved", message.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public void BidiOverrideIsRemovedFromTheSubject()
    {
        var message = Render(Opened(pr => pr with { Title = "Invoice \u202Efdp.exe" }));

        Assert.DoesNotContain('\u202E', message.Subject);
    }

    [Fact]
    public void HugeDescriptionIsCappedAndSaysSo()
    {
        var paragraph = "Lorem ipsum dolor sit amet, **consectetur** adipiscing elit. " + new string('x', 40) + "\n\n";
        var huge = new StringBuilder();
        while (huge.Length < 1_000_000)
        {
            huge.Append(paragraph);
        }

        var message = Render(Opened(pr => pr with { Description = huge.ToString() }));

        Assert.InRange(message.HtmlBody!.Length, 1, 120_000);
        Assert.InRange(message.TextBody.Length, 1, 40_000);
        Assert.Contains("… (truncated, see the pull request)", message.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("… (truncated, see the pull request)", message.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public void EmojiAndRightToLeftTextSurviveIntact()
    {
        const string title = "🚀 Release שלום עולם مرحبا 👩🏽‍💻";

        var message = Render(Opened(pr => pr with { Title = title, Description = title }));

        Assert.Contains(title, message.Subject, StringComparison.Ordinal);
        Assert.Contains(title, message.HtmlBody, StringComparison.Ordinal);
        Assert.Contains(title, message.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain('\uFFFD', message.HtmlBody!);
        Assert.Contains($"dir=\"auto\">{title}</h1>", message.HtmlBody, StringComparison.Ordinal);
    }

    [Fact]
    public void InternationalDomainInALinkIsShownInPunycode()
    {
        // "bücher" in a markdown link and as the pull request's own URL: the href shows the ASCII form, so a
        // look-alike host cannot pass for another one.
        var e = Opened(pr => pr with
        {
            Description = "See [the shop](https://bücher.example/katalog) please",
            Url = new Uri("https://bücher.example/pr/1"),
        });

        var message = Render(e);

        var hrefs = EscapingPropertyTests.Hrefs(message.HtmlBody!);
        Assert.Contains("https://xn--bcher-kva.example/katalog", hrefs, StringComparison.Ordinal);
        Assert.Contains("https://xn--bcher-kva.example/pr/1", hrefs, StringComparison.Ordinal);
        Assert.DoesNotContain("bücher", hrefs, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("<img src=http://evil.example/x>", "<img")]
    [InlineData("<iframe src=\"http://evil.example/\"></iframe>", "<iframe")]
    [InlineData("<div style=\"background:url(http://evil.example/t)\">x</div>", "<div style=\"background:url")]
    [InlineData("<a href=\"javascript:alert(1)\">x</a>", "<a href=\"javascript")]
    public void RawHtmlInMarkdownIsShownAsText(string markdown, string forbidden)
    {
        var message = Render(Opened(pr => pr with { Description = markdown }));

        Assert.DoesNotContain(forbidden, message.HtmlBody, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;", message.HtmlBody, StringComparison.Ordinal);
    }

    [Fact]
    public void MarkdownImageBecomesALinkNotARemoteImage()
    {
        var message = Render(Opened(pr => pr with { Description = "Screenshot: ![the dialog](http://evil.example/pixel.png)" }));

        Assert.DoesNotContain("<img", message.HtmlBody, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("src=", message.HtmlBody, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Image: <a href=\"http://evil.example/pixel.png\"", message.HtmlBody, StringComparison.Ordinal);
        Assert.Contains(">the dialog</a>", message.HtmlBody, StringComparison.Ordinal);
    }

    [Fact]
    public void MarkdownImageWithUnsafeUrlBecomesItsAltText()
    {
        var message = Render(Opened(pr => pr with { Description = "![alt text](javascript:alert(1))" }));

        Assert.DoesNotContain("<img", message.HtmlBody, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("javascript:", EscapingPropertyTests.Hrefs(message.HtmlBody!), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("alt text", message.HtmlBody, StringComparison.Ordinal);
    }

    [Fact]
    public void LoneSurrogatesAndNullCharactersDoNotBreakTheEmail()
    {
        var message = Render(Opened(pr => pr with { Title = "a\uD800b\u0000c", Description = "x\uDC00y\u0000z" }));

        EscapingPropertyTests.AssertSafe(message);
        Assert.Contains("a\uFFFDb c", message.Subject, StringComparison.Ordinal);
    }

    public static TheoryData<string> MarkdownTooDeepForTheParser => new()
    {
        string.Concat(Enumerable.Repeat("\u001b[31mERROR\u001b[0m ", 64)),
        new string('[', 128) + "x" + new string(']', 128),
        new string('[', 5000),
    };

    [Theory]
    [MemberData(nameof(MarkdownTooDeepForTheParser))]
    public void MarkdownTheParserRefusesIsShownAsEscapedTextAndTheRestStillRenders(string refused)
    {
        var description = "**Before** the log:\n\n" + refused + " <script>x()</script>\n\n_after_ the log";

        var message = Render(Opened(pr => pr with { Description = description }));

        Assert.Contains("<strong>Before</strong>", message.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("<em>after</em>", message.HtmlBody, StringComparison.Ordinal);
        Assert.Contains(refused.Replace("\u001b", string.Empty, StringComparison.Ordinal)[..40], message.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", message.HtmlBody, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", message.HtmlBody, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b", message.HtmlBody, StringComparison.Ordinal);
        EscapingPropertyTests.AssertSafe(message);
    }
}

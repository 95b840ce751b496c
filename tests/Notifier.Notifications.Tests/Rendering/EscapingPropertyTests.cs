using System.Net;
using FsCheck;
using FsCheck.Fluent;
using Notifier.Notifications.Recipients;
using Notifier.Notifications.Rendering;
using Notifier.Smtp.Messages;

namespace Notifier.Notifications.Tests.Rendering;

/// <summary>
/// Arbitrary text (mixed with fragments known to be dangerous) in every user-controlled field of every event
/// type: the HTML never contains a tag the event wrote, no header value carries a control character, and
/// rendering never throws.
/// </summary>
public sealed class EscapingPropertyTests
{
    private const string Marker = "<x-marker>";

    private static readonly string[] Fragments =
    [
        "<", ">", "&", "\"", "'", "\r\n", "\n", "\r", "\0", "\t", "\u0085", "\u2028", "\u202E", "\uD800", "\uDC00",
        "javascript:alert(1)", "[x](javascript:alert(1))", "![i](http://evil.example/x.png)", "<script>", "</script>",
        "<img src=x onerror=alert(1)>", "`", "```", "**", "](", "[", "<http://a.example>", "&lt;x-marker&gt;",
        "&#60;x-marker&#62;", " ", "    ", "é", "😀", "שלום", "- ", "> ", "\\", "<!--", "-->", "<![CDATA[",
    ];

    private static Gen<string> HostileText()
    {
        var arbitrary = ArbMap.Default.GeneratorFor<string>().Select(s => s ?? string.Empty);
        var piece = Gen.Frequency((3, Gen.Elements(Fragments)), (2, arbitrary));
        return Gen.ListOf(piece).Select(parts => string.Concat(parts));
    }

    private static readonly Gen<string> MarkedText =
        Gen.Zip(HostileText(), HostileText(), (before, after) => before + Marker + after);

    [Fact]
    public void EventTextNeverBecomesMarkupOrAHeaderBreak()
    {
        var renderer = TestEvents.Renderer();
        var recipients = new RecipientSet(
            [TestEvents.To(TestEvents.Tomas, RecipientReason.Reviewer)], 0, []);

        var property = Prop.ForAll(MarkedText.ToArbitrary(), text =>
        {
            foreach (var e in HostileEvents.WithEverywhere(text))
            {
                foreach (var message in renderer.Render(e, recipients))
                {
                    AssertSafe(message);
                    // The MIME writer refuses any control character in a header: it must accept every rendering.
                    Assert.NotEmpty(MimeMessageBuilder.ToArray(message));
                }
            }
        });

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(150), property);
    }

    internal static void AssertSafe(EmailMessage message)
    {
        var html = message.HtmlBody!;
        Assert.DoesNotContain("<x-marker", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("javascript:", Hrefs(html), StringComparison.OrdinalIgnoreCase);
        AssertHeaderSafe(message.Subject);
        AssertHeaderSafe(message.MessageId!);
        foreach (var header in message.Headers)
        {
            AssertHeaderSafe(header.Value);
        }

        Assert.DoesNotContain('\r', message.TextBody);
        Assert.False(HasLoneSurrogate(message.TextBody) || HasLoneSurrogate(html), "a body has a lone surrogate (not encodable as UTF-8)");
    }

    internal static void AssertHeaderSafe(string value)
    {
        foreach (var c in value)
        {
            Assert.False(char.IsControl(c) || c is '\u2028' or '\u2029', $"header value contains U+{(int)c:X4}: {value}");
        }

        Assert.False(HasLoneSurrogate(value), $"header value has a lone surrogate: {value}");
    }

    /// <summary>The values of every href attribute, joined.</summary>
    internal static string Hrefs(string html)
    {
        var hrefs = new List<string>();
        var at = 0;
        while ((at = html.IndexOf("href=\"", at, StringComparison.Ordinal)) >= 0)
        {
            var end = html.IndexOf('"', at + 6);
            hrefs.Add(WebUtility.HtmlDecode(html[(at + 6)..end]));
            at = end;
        }

        return string.Join('\n', hrefs);
    }

    private static bool HasLoneSurrogate(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(value[i]))
            {
                return true;
            }
        }

        return false;
    }

    [Fact]
    public void HeaderCleaningNeverLeavesABreakingCharacter()
    {
        var property = Prop.ForAll(HostileText().ToArbitrary(), text => AssertHeaderSafe(HeaderText.Clean(text)));

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(500), property);
    }
}

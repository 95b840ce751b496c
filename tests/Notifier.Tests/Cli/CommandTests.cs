using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Notifier.Smtp.Tests.Servers;
using Notifier.Tests.Support;

namespace Notifier.Tests.Cli;

/// <summary>The commands as an admin runs them: a real process, settings from the environment.</summary>
[Trait("Category", "Integration")]
public sealed class CommandTests
{
    private static readonly Dictionary<string, string?> Local = new() { ["Notifications__BaseUrl"] = "https://git.example.com/", ["Notifications__Batching__Mode"] = "Immediate" };

    [Fact]
    public async Task DeliverWithoutAMailHostWritesEveryEmailToTheOutboxAndPrintsTheSummary()
    {
        var work = Directory.CreateTempSubdirectory("notifier-deliver-").FullName;

        var (exitCode, output) = await NotifierProcess.RunAsync(Local, work, null, "deliver", Repo.Path("samples", "events"));

        Assert.Equal(0, exitCode);
        var count = Directory.GetFiles(Repo.Path("samples", "events"), "*.json").Length;
        Assert.Contains($"delivered {count}, dropped 0, rejected 0", output, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(work, "outbox"), output, StringComparison.Ordinal);
        Assert.True(Directory.GetFiles(Path.Combine(work, "outbox"), "*.eml").Length >= count);
        Assert.DoesNotContain("\u001b[", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeliverReadsJsonLinesFromStandardInputAndExits1WhenAnyIsRejected()
    {
        var work = Directory.CreateTempSubdirectory("notifier-deliver-").FullName;
        var good = File.ReadAllText(Repo.Path("samples", "events", "pullrequest.merged.json")).ReplaceLineEndings(" ");

        var (exitCode, output) = await NotifierProcess.RunAsync(Local, work, $"{good}\n\nnot json\n", "deliver", "-");

        Assert.Equal(1, exitCode);
        Assert.Contains("delivered 1, dropped 0, rejected 1", output, StringComparison.Ordinal);
        Assert.Contains("stdin:3: rejected", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PublishChecksEveryEventBeforeItConnects()
    {
        // No namespace exists behind this name: the invalid line must stop the command before any sign-in or connection.
        var good = File.ReadAllText(Repo.Path("samples", "events", "pullrequest.merged.json")).ReplaceLineEndings(" ");

        var (exitCode, output) = await NotifierProcess.RunAsync(Local, null, $"{good}\nnot json\n", "publish", "--namespace", "sb-notifier-none.servicebus.windows.net", "-");

        Assert.Equal(1, exitCode);
        Assert.Contains("stdin:2: invalid: not JSON", output, StringComparison.Ordinal);
        Assert.Contains("nothing sent: 1 of 2 events are invalid", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PublishWithoutANamespaceIsBadUsage()
    {
        var (exitCode, output) = await NotifierProcess.RunAsync(Local, null, null, "publish", Repo.Path("samples", "events", "pullrequest.merged.json"));

        Assert.Equal(2, exitCode);
        Assert.Contains("--namespace", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeliverWithAQueueRejectsEventsOfAnotherCategory()
    {
        var (exitCode, output) = await NotifierProcess.RunAsync(Local, null, null, "deliver", "--queue", "account-events", Repo.Path("samples", "events", "pullrequest.opened.json"));

        Assert.Equal(1, exitCode);
        Assert.Contains("does not belong on this queue", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeliverDropsAndExits1WhenTheMailServerIsDown()
    {
        using var down = new RefusingPort();
        var environment = new Dictionary<string, string?>(Local)
        {
            ["Mail__Host"] = "127.0.0.1",
            ["Mail__Port"] = down.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Mail__Tls"] = "None",
            ["Mail__From"] = "noreply@example.com",
        };

        var (exitCode, output) = await NotifierProcess.RunAsync(environment, null, null, "deliver", Repo.Path("samples", "events", "repository.pushed.json"));

        Assert.Equal(1, exitCode);
        Assert.Contains("delivered 0, dropped 1, rejected 0", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeliverPrintsTheServersRefusalInTheDropLine()
    {
        await using var smtp = await SmtpServerProcess.StartAsync(new SmtpServerOptions { Faults = ["data-451"] });
        var environment = new Dictionary<string, string?>(Local);
        foreach (var (key, value) in PlainSmtp(smtp.Port))
        {
            environment[key] = value;
        }

        var (exitCode, output) = await NotifierProcess.RunAsync(environment, null, null, "deliver", Repo.Path("samples", "events", "repository.pushed.json"));

        Assert.Equal(1, exitCode);
        Assert.Contains("delivered 0, dropped 1, rejected 0", output, StringComparison.Ordinal);
        var dropped = Assert.Single(output.Split('\n'), l => l.Contains("repository.pushed.json: dropped", StringComparison.Ordinal));
        Assert.Contains("refused the message after DATA: 451 4.3.0 Error: queue file write error", dropped, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("deliver", "/no/such/folder")]
    [InlineData("deliver")]
    [InlineData("send-test")]
    [InlineData("no-such-command")]
    public async Task BadUsageExits2WithAMessage(params string[] args)
    {
        var (exitCode, output) = await NotifierProcess.RunAsync(Local, null, null, args);

        Assert.Equal(2, exitCode);
        Assert.False(string.IsNullOrWhiteSpace(output));
    }

    [Fact]
    public async Task UnusableSettingsExit2AndListEveryProblem()
    {
        var environment = new Dictionary<string, string?> { ["Mail__Host"] = "mail.example.com", ["Mail__Port"] = "x", ["Notifications__BaseUrl"] = "ftp://x/" };

        var (exitCode, output) = await NotifierProcess.RunAsync(environment, null, null, "deliver", Repo.Path("samples", "events"));

        Assert.Equal(2, exitCode);
        Assert.Contains("Mail__Port", output, StringComparison.Ordinal);
        Assert.Contains("Mail__From", output, StringComparison.Ordinal);
        Assert.Contains("Notifications__BaseUrl", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RenderWritesAnEmlAndAnHtmlPreviewPerEmailWithoutSending()
    {
        var outDir = Directory.CreateTempSubdirectory("notifier-render-").FullName;

        var (exitCode, output) = await NotifierProcess.RunAsync(Local, null, null, "render", Repo.Path("samples", "events", "pullrequest.opened.json"), Repo.Path("samples", "bitbucket", "pr_merged.json"), "--out", outDir);

        Assert.Equal(0, exitCode);
        Assert.Contains("rendered 2, rejected 0", output, StringComparison.Ordinal);
        var emls = Directory.GetFiles(outDir, "*.eml");
        Assert.NotEmpty(emls);
        Assert.Equal(emls.Length, Directory.GetFiles(outDir, "*.html").Length);
        Assert.All(emls, e => Assert.Contains("MIME-Version: 1.0", File.ReadAllText(e), StringComparison.Ordinal));
    }

    [Fact]
    public async Task RenderAcceptsBitbucketsDeletedCommentCapturesWithNoEmailAndExits0()
    {
        var outDir = Directory.CreateTempSubdirectory("notifier-render-").FullName;

        var (exitCode, output) = await NotifierProcess.RunAsync(Local, null, null, "render",
            Repo.Path("samples", "bitbucket", "pr_comment_deleted.json"), Repo.Path("samples", "bitbucket", "repo_comment_deleted.json"), "--out", outDir);

        Assert.Equal(0, exitCode);
        Assert.Contains("pr_comment_deleted.json: 0 email(s) (Bitbucket sends no email for pr:comment:deleted)", output, StringComparison.Ordinal);
        Assert.Contains("rendered 2, rejected 0", output, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(outDir));
    }

    [Fact]
    public async Task RenderExits1ForARejectedEventAndSaysWhy()
    {
        var bad = Path.Combine(Directory.CreateTempSubdirectory("notifier-render-").FullName, "bad.json");
        await File.WriteAllTextAsync(bad, "{\"type\": \"pullrequest.opened\"}");

        var (exitCode, output) = await NotifierProcess.RunAsync(Local, null, null, "render", bad, "--out", Path.GetDirectoryName(bad)!);

        Assert.Equal(1, exitCode);
        Assert.Contains("bad.json: rejected:", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendTestPrintsEveryStageAndExits0WhenTheServerTookIt()
    {
        await using var smtp = await SmtpServerProcess.StartAsync(new SmtpServerOptions());
        var environment = PlainSmtp(smtp.Port);

        var (exitCode, output) = await NotifierProcess.RunAsync(environment, null, null, "send-test", "--to", "admin@example.com");

        Assert.True(exitCode == 0, output);
        foreach (var stage in new[] { "connect", "EHLO", "MAIL", "RCPT", "DATA" })
        {
            Assert.Contains($"] {stage}", output, StringComparison.Ordinal);
        }

        Assert.Equal(["admin@example.com"], smtp.Messages.Single().RcptTos);
    }

    [Fact]
    public async Task SendTestExits1AndSaysWhatToChangeWhenTheServerIsDown()
    {
        using var down = new RefusingPort();
        var environment = PlainSmtp(down.Port);

        var (exitCode, output) = await NotifierProcess.RunAsync(environment, null, null, "send-test", "--to", "admin@example.com");

        Assert.Equal(1, exitCode);
        Assert.Contains("FAIL", output, StringComparison.Ordinal);
        Assert.Contains("what to do:", output, StringComparison.Ordinal);
        Assert.Contains("not sent", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckSmtpPrintsTheBannerAndExtensionsAndExits0()
    {
        await using var smtp = await SmtpServerProcess.StartAsync(new SmtpServerOptions());
        var environment = PlainSmtp(smtp.Port);

        var (exitCode, output) = await NotifierProcess.RunAsync(environment, null, null, "check-smtp");

        Assert.True(exitCode == 0, output);
        Assert.Contains("banner:", output, StringComparison.Ordinal);
        Assert.Contains("extensions:", output, StringComparison.Ordinal);
        Assert.Empty(smtp.Messages);
    }

    [Fact]
    public async Task CheckSmtpPrintsTheTlsSessionAndTheCertificateItWasOffered()
    {
        using var certificates = new ServerCertificates();
        await using var smtp = await SmtpServerProcess.StartAsync(new SmtpServerOptions { Tls = ServerTls.StartTls, Certificate = certificates.Localhost });
        using var presented = X509Certificate2.CreateFromPem(File.ReadAllText(certificates.Localhost.CertificatePath));
        var environment = PlainSmtp(smtp.Port);
        environment["Mail__Host"] = "localhost";
        environment["Mail__Tls"] = "Always";
        environment["Mail__TrustedCertificatesPath"] = certificates.AuthorityPath;

        var (exitCode, output) = await NotifierProcess.RunAsync(environment, null, null, "check-smtp");

        Assert.True(exitCode == 0, output);
        Assert.Matches(@"tls: +TLS 1\.[23], TLS_\w+", output);
        var fingerprint = string.Join(':', Convert.ToHexString(SHA256.HashData(presented.RawData)).Chunk(2).Select(pair => new string(pair)));
        Assert.Contains(
            $"certificate: CN=localhost (issuer CN=Notifier Test CA, valid until {presented.NotAfter.ToUniversalTime():yyyy-MM-dd}, SHA-256 {fingerprint})",
            output,
            StringComparison.Ordinal);
        Assert.DoesNotContain("warning:", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("check-smtp")]
    [InlineData("send-test", "--to", "admin@example.com")]
    public async Task WithIfAvailableAndAServerWithoutStartTlsTheCommandsPrintThatMailGoesUnencrypted(params string[] command)
    {
        await using var smtp = await SmtpServerProcess.StartAsync(new SmtpServerOptions());
        var environment = PlainSmtp(smtp.Port);
        environment["Mail__Tls"] = "IfAvailable";

        var (exitCode, output) = await NotifierProcess.RunAsync(environment, null, null, command);

        Assert.True(exitCode == 0, output);
        var warning = Assert.Single(output.Split('\n'), l => l.StartsWith("warning:", StringComparison.Ordinal));
        Assert.Contains($"127.0.0.1:{smtp.Port} does not offer STARTTLS", warning, StringComparison.Ordinal);
        Assert.Contains("unencrypted", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckSmtpExits1WhenTheServerIsDown()
    {
        using var down = new RefusingPort();
        var environment = PlainSmtp(down.Port);

        var (exitCode, output) = await NotifierProcess.RunAsync(environment, null, null, "check-smtp");

        Assert.Equal(1, exitCode);
        Assert.Contains("problem", output, StringComparison.Ordinal);
    }

    /// <summary>Settings for an unencrypted, anonymous server on loopback at <paramref name="port"/>.</summary>
    private static Dictionary<string, string?> PlainSmtp(int port) => new()
    {
        ["Mail__Host"] = "127.0.0.1",
        ["Mail__Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Mail__Tls"] = "None",
        ["Mail__From"] = "noreply@example.com",
    };
}

using System.Diagnostics;
using System.Globalization;
using System.Text;
using Notifier.Tests.Support;
using Notifier.Smtp.Tests.Servers;

namespace Notifier.Tests.Cli;

/// <summary>What the commands say to an admin trying them for the first time: each message as a real process prints it.</summary>
[Trait("Category", "Integration")]
public sealed class CommandMessageTests
{
    private static readonly Dictionary<string, string?> Local = new() { ["Notifications__BaseUrl"] = "https://git.example.com/" };

    private static string Sample(string name) => Repo.Path("samples", "events", name + ".json");

    private static string OneLine(string name) => File.ReadAllText(Sample(name)).ReplaceLineEndings(" ");

    /// <summary>Held for the whole run: no server can start listening there.</summary>
    private static readonly RefusingPort Down = new();

    private static Dictionary<string, string?> DeadServer() => new(Local)
    {
        ["Mail__Host"] = "127.0.0.1",
        ["Mail__Port"] = Down.Port.ToString(CultureInfo.InvariantCulture),
        ["Mail__Tls"] = "None",
        ["Mail__From"] = "noreply@example.com",
    };

    [Fact]
    public async Task SendTestWithoutAMailHostSaysItWroteToTheOutboxAndSentNothing()
    {
        var work = Directory.CreateTempSubdirectory("notifier-send-test-").FullName;

        var (exitCode, output) = await NotifierProcess.RunAsync(Local, work, null, "send-test", "--to", "admin@example.com");

        Assert.True(exitCode == 0, output);
        Assert.Contains("written to the outbox; nothing was sent", output, StringComparison.Ordinal);
        Assert.DoesNotContain("\nsent", "\n" + output, StringComparison.Ordinal);
        Assert.Single(Directory.GetFiles(Path.Combine(work, "outbox"), "*.eml"));
    }

    [Fact]
    public async Task DeliverOnAnEmptyFolderSaysSoAndExits1()
    {
        var empty = Directory.CreateTempSubdirectory("notifier-empty-").FullName;

        var (exitCode, output) = await NotifierProcess.RunAsync(Local, null, null, "deliver", empty);

        Assert.Equal(1, exitCode);
        Assert.Contains($"no events found in {empty}", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeliverReadsAJsonlFileAsJsonLinesAlsoInAFolder()
    {
        var folder = Directory.CreateTempSubdirectory("notifier-jsonl-").FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "events.jsonl"), $"{OneLine("pullrequest.merged")}\n{OneLine("repository.pushed")}\nnot json\n");

        var (exitCode, output) = await NotifierProcess.RunAsync(Local, null, null, "deliver", folder);

        Assert.Equal(1, exitCode);
        Assert.Contains("delivered 2, dropped 0, rejected 1", output, StringComparison.Ordinal);
        Assert.Contains("events.jsonl:3: rejected", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeliverReadsPrettyPrintedJsonDocumentsOnStandardInput()
    {
        var stdin = File.ReadAllText(Sample("pullrequest.opened")) + "\n" + File.ReadAllText(Sample("commit.comment.added"));
        Assert.Contains('\n', stdin.Trim());

        var (exitCode, output) = await NotifierProcess.RunAsync(Local, null, stdin, "deliver", "-");

        Assert.True(exitCode == 0, output);
        Assert.Contains("delivered 2, dropped 0, rejected 0", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeliverListsRejectionsInInputOrder()
    {
        var good = OneLine("pullrequest.merged");
        var lines = Enumerable.Range(1, 12).Select(i => i is 2 or 10 or 11 ? $"bad line {i}" : good);

        var (exitCode, output) = await NotifierProcess.RunAsync(Local, null, string.Join("\n", lines) + "\n", "deliver", "-");

        Assert.Equal(1, exitCode);
        var rejected = output.Split('\n').Where(l => l.Contains(": rejected", StringComparison.Ordinal)).Select(l => l[..l.IndexOf(": ", StringComparison.Ordinal)]).ToList();
        Assert.Equal(["stdin:2", "stdin:10", "stdin:11"], rejected);
    }

    [Fact]
    public async Task DeliverShowsProgressOnATerminalForStandardInputToo()
    {
        var input = Path.Combine(Directory.CreateTempSubdirectory("notifier-tty-").FullName, "events.jsonl");
        await File.WriteAllLinesAsync(input, Enumerable.Repeat(OneLine("pullrequest.merged"), 25));
        var notifier = Path.Combine(AppContext.BaseDirectory, "notifier.dll");
        // script(1) gives the command a terminal for its output; the events still come from standard input.
        var start = new ProcessStartInfo("script") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(input)! };
        foreach (var arg in new[] { "-qec", $"dotnet '{notifier}' deliver - < '{input}'", "/dev/null" })
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("Mail__", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        start.Environment["Notifications__BaseUrl"] = "https://git.example.com/";
        start.Environment["TERM"] = "xterm-256color";
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.True(process.ExitCode == 0, output);
        Assert.Contains("delivering", output, StringComparison.Ordinal);
        Assert.Contains("\u001b[", output, StringComparison.Ordinal);
        Assert.Contains("delivered 25, dropped 0, rejected 0", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeliverSaysWhereItConnectsBeforeWaiting()
    {
        var environment = DeadServer();

        var (exitCode, output) = await NotifierProcess.RunAsync(environment, null, null, "deliver", Sample("repository.pushed"));

        Assert.Equal(1, exitCode);
        var connecting = output.IndexOf($"connecting to 127.0.0.1:{environment["Mail__Port"]}…", StringComparison.Ordinal);
        Assert.True(connecting >= 0, output);
        Assert.True(connecting < output.IndexOf("dropped", StringComparison.Ordinal), output);
    }

    [Theory]
    [InlineData("send-test", "--to", "admin@example.com")]
    [InlineData("check-smtp")]
    public async Task TheMailChecksSayWhereTheyConnectFirst(params string[] args)
    {
        var environment = DeadServer();

        var (exitCode, output) = await NotifierProcess.RunAsync(environment, null, null, args);

        Assert.Equal(1, exitCode);
        Assert.StartsWith($"connecting to 127.0.0.1:{environment["Mail__Port"]}…", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("deliver", "SAMPLE")]
    [InlineData("render", "SAMPLE", "--out", "rendered")]
    [InlineData("send-test", "--to", "admin@example.com")]
    [InlineData("check-smtp")]
    public async Task UnusableSettingsExit2FromEveryCommandAndSayRunAgain(params string[] args)
    {
        var environment = new Dictionary<string, string?> { ["Mail__Host"] = "mail.example.com", ["Mail__From"] = "noreply@example.com", ["Mail__ConnectTimeout"] = "soon" };

        var (exitCode, output) = await NotifierProcess.RunAsync(environment, null, null, args.Select(a => a == "SAMPLE" ? Sample("pullrequest.opened") : a).ToArray());

        Assert.Equal(2, exitCode);
        Assert.Contains("Mail__ConnectTimeout", output, StringComparison.Ordinal);
        Assert.Contains("run the command again", output, StringComparison.Ordinal);
        Assert.DoesNotContain("restart", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckSmtpWithoutAMailHostExits2()
    {
        var (exitCode, output) = await NotifierProcess.RunAsync(Local, null, null, "check-smtp");

        Assert.Equal(2, exitCode);
        Assert.Contains("Mail__Host is empty", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheCommandsReadLocalSettingsJsonWithTheEnvironmentWinning()
    {
        var work = Directory.CreateTempSubdirectory("notifier-local-settings-").FullName;
        await File.WriteAllTextAsync(Path.Combine(work, "local.settings.json"), """
            {
              "IsEncrypted": false,
              "Values": {
                "Notifications__BaseUrl": "https://git.example.com/",
                "Mail__OutboxDirectory": "./from-file",
                "Mail__MaxConnections": 2
              }
            }
            """);
        var environment = new Dictionary<string, string?> { ["Mail__OutboxDirectory"] = "./from-environment" };

        var (exitCode, output) = await NotifierProcess.RunAsync(environment, work, null, "deliver", Sample("account.created"));

        // The base URL only came from the file; account events are rejected without it.
        Assert.True(exitCode == 0, output);
        Assert.Single(Directory.GetFiles(Path.Combine(work, "from-environment"), "*.eml"));
        Assert.False(Directory.Exists(Path.Combine(work, "from-file")));
    }

    [Fact]
    public async Task AnUnreadableLocalSettingsJsonExits2AndNamesTheFile()
    {
        var work = Directory.CreateTempSubdirectory("notifier-local-settings-").FullName;
        await File.WriteAllTextAsync(Path.Combine(work, "local.settings.json"), "{ \"Values\": { \"Mail__Host\": ", Encoding.UTF8);

        var (exitCode, output) = await NotifierProcess.RunAsync(Local, work, null, "deliver", Sample("pullrequest.opened"));

        Assert.Equal(2, exitCode);
        Assert.Contains("local.settings.json could not be read", output, StringComparison.Ordinal);
    }
}

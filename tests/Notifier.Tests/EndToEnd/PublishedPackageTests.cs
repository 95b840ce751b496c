using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Runtime.Versioning;
using Notifier.Smtp.Tests.Servers;
using Notifier.Tests.Support;

namespace Notifier.Tests.EndToEnd;

/// <summary>Publishes the function app once with src/Notifier/publish.sh, the way it is deployed.</summary>
public sealed class PublishedPackage : IAsyncLifetime
{
    public string Folder { get; } = Path.Combine(Directory.CreateTempSubdirectory("notifier-publish-").FullName, "functionapp");

    public string Zip => Folder + ".zip";

    public string Output { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        var start = new ProcessStartInfo("bash") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Repo.Path("src", "Notifier", "publish.sh"));
        start.ArgumentList.Add(Folder);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Output = await stdout + await stderr;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException("publish.sh failed: " + Output);
        }
    }

    public Task DisposeAsync()
    {
        Directory.Delete(Path.GetDirectoryName(Folder)!, recursive: true);
        return Task.CompletedTask;
    }
}

[SupportedOSPlatform("linux")]
[Trait("Category", "Integration")]
public sealed class PublishedPackageTests(PublishedPackage package) : IClassFixture<PublishedPackage>
{
    [Fact]
    public void ThePackageHasHostJsonTheFunctionFoldersAndAnExecutableNotifierAtItsRoot()
    {
        Assert.True(File.Exists(Path.Combine(package.Folder, "host.json")));
        foreach (var function in new[] { "PullRequestEvents", "RepositoryEvents", "AccountEvents", "SendTestEmail" })
        {
            Assert.True(File.Exists(Path.Combine(package.Folder, function, "function.json")), function);
        }

        Assert.False(Directory.Exists(Path.Combine(package.Folder, "Functions")));
        Assert.True(File.GetUnixFileMode(Path.Combine(package.Folder, "notifier")).HasFlag(UnixFileMode.UserExecute));
        // Self-contained: the runtime travels with the app.
        Assert.True(File.Exists(Path.Combine(package.Folder, "libcoreclr.so")));
    }

    [Fact]
    public void TheZipKeepsTheExecutableBit()
    {
        using var zip = ZipFile.OpenRead(package.Zip);
        var notifier = zip.GetEntry("notifier")!;
        var mode = (UnixFileMode)((notifier.ExternalAttributes >> 16) & 0x1FF);

        Assert.True(mode.HasFlag(UnixFileMode.UserExecute));
        Assert.NotNull(zip.GetEntry("host.json"));
        Assert.NotNull(zip.GetEntry("PullRequestEvents/function.json"));
    }

    [Fact]
    public async Task ThePublishedNotifierServesAndDeliversThroughARealSmtpServer()
    {
        await using var smtp = await SmtpServerProcess.StartAsync(new SmtpServerOptions());
        var environment = new Dictionary<string, string?>
        {
            ["Mail__Host"] = "127.0.0.1",
            ["Mail__Port"] = smtp.Port.ToString(CultureInfo.InvariantCulture),
            ["Mail__Tls"] = "None",
            ["Mail__From"] = "noreply@example.com",
            ["Notifications__BaseUrl"] = "https://git.example.com/",
        };
        var (process, client) = await NotifierProcess.ServeAsync(environment, Path.Combine(package.Folder, "notifier"), package.Folder);
        await using var _ = process;
        using var __ = client;

        var answer = await InvocationAnswer.PostAsync(client, "/AccountEvents", HostInvocation.ServiceBus(Repo.Sample("account.created"), "pub-1", HostEncoding.Binary));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("delivered", answer.Outcome);
        Assert.Single(smtp.Messages);
    }
}

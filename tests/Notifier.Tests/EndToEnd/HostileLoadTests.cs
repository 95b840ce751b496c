using System.Globalization;
using System.Net;
using System.Text;
using Notifier.Smtp.Tests.Servers;
using Notifier.Tests.Storage;
using Notifier.Tests.Support;

namespace Notifier.Tests.EndToEnd;

/// <summary>
/// <c>notifier serve</c> as a real process under the host's full concurrency (16 invocations) with hostile
/// bodies mixed into normal events: every invocation gets one outcome and the process stays within memory a
/// 512 MB Flex Consumption instance can give it.
/// </summary>
[Trait("Category", "Integration")]
public sealed class HostileLoadTests
{
    /// <summary>
    /// The goal for this mix, half of a 512 MB Flex Consumption instance (the code before this bound peaked at
    /// 2.6 GB on a similar mix). It measures 150-165 MB here, so a loaded CI machine still passes; the longer
    /// mix of the load harness is in bench/README-app.md.
    /// </summary>
    private const double MaxPeakMegabytes = 256;

    private static byte[][] HostileBodies()
    {
        const int big = 2_500_000;
        return
        [
            Encoding.UTF8.GetBytes(new string('"', big)),
            Encoding.UTF8.GetBytes(new string('é', big / 2)),
            Encoding.UTF8.GetBytes(new string('[', 200_000)),
            Encoding.UTF8.GetBytes("{\"type\": \"pullrequest.opened\", \"title\": \"" + new string('日', 700_000) + "\"}"),
        ];
    }

    [Fact]
    public async Task SixteenConcurrentInvocationsWithHostileBodiesStayBoundedAndEachGetsOneOutcome()
    {
        await using var smtp = await SmtpServerProcess.StartAsync(new SmtpServerOptions());
        await using var azurite = await AzuriteServer.StartAsync(AzuriteService.Blob);
        var environment = new Dictionary<string, string?>
        {
            ["Mail__Host"] = "127.0.0.1",
            ["Mail__Port"] = smtp.Port.ToString(CultureInfo.InvariantCulture),
            ["Mail__Tls"] = "None",
            ["Mail__From"] = "Code Review <noreply@example.com>",
            ["Notifications__BaseUrl"] = "https://git.example.com/",
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
        };
        var (process, client) = await NotifierProcess.ServeAsync(environment, requestTimeout: TimeSpan.FromMinutes(2));
        await using var _ = process;
        using var __ = client;
        var hostile = HostileBodies();
        var normal = Repo.Sample("pullrequest.opened");
        var outcomes = new List<string>();

        await Task.WhenAll(Enumerable.Range(0, 16).Select(async worker =>
        {
            for (var round = 0; round < 4; round++)
            {
                var body = (worker + round) % 2 == 0 ? hostile[(worker / 2 + round) % hostile.Length] : normal;
                var answer = await InvocationAnswer.PostAsync(client, "/PullRequestEvents", HostInvocation.ServiceBus(body, $"load-{worker}-{round}", HostEncoding.Binary));
                Assert.Equal(HttpStatusCode.OK, answer.Status);
                if (answer.Rejected is { } rejected)
                {
                    Assert.True(Encoding.UTF8.GetByteCount(rejected.GetRawText()) <= 256 * 1024);
                }

                lock (outcomes)
                {
                    outcomes.Add(answer.Outcome!);
                }
            }
        }));

        var peak = PeakMegabytes(process.Process.Id);
        Assert.Equal(64, outcomes.Count);
        Assert.Equal(32, outcomes.Count(o => o == "rejected"));
        Assert.Equal(32, outcomes.Count(o => o == "delivered"));
        Assert.True(peak <= MaxPeakMegabytes, $"peak resident set {peak:F0} MB");
    }

    [Fact]
    public async Task AnInvocationLargerThanTheLimitIsRefusedWithout200SoTheMessageGoesBackToItsQueue()
    {
        var (process, client) = await NotifierProcess.ServeAsync(new Dictionary<string, string?> { ["Notifications__BaseUrl"] = "https://git.example.com/" });
        await using var _ = process;
        using var __ = client;

        var answer = await InvocationAnswer.PostAsync(client, "/PullRequestEvents", HostInvocation.ServiceBus(new byte[4 * 1024 * 1024], "too-big", HostEncoding.Binary));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, answer.Status);
        Assert.Contains(answer.Logs, l => l.Contains("is larger than 4 MB", StringComparison.Ordinal));
    }

    private static double PeakMegabytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
    }
}

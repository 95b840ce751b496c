using System.Diagnostics;
using Notifier.Notifications.Events;
using Notifier.Notifications.Recipients;
using Xunit.Abstractions;

namespace Notifier.Notifications.Tests.Rendering;

/// <summary>
/// Renders the HTML of every sample, opens it in headless Chromium and keeps a screenshot in
/// <c>artifacts/screenshots/</c> (git-ignored; CI keeps it as a test artifact). The assertions catch a page
/// that fails to render or renders blank; the pictures are for people to look at.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ScreenshotTests(ITestOutputHelper output)
{
    // A blank 800x1000 page compresses to about 3 KB; any real email is far above this.
    private const long MinimumPngBytes = 15_000;

    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    [Fact]
    public async Task EverySampleEmailRendersInChromium()
    {
        var chromium = FindChromium();
        if (chromium is null)
        {
            Assert.False(string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase),
                "Chromium is not installed (tests/install-deps.sh installs the 'chromium' package); the screenshot test cannot run in CI without it.");
            output.WriteLine("Chromium not found; screenshots not taken (this fails when CI=true).");
            return;
        }

        var directory = Path.Combine(RepositoryFiles.Root, "artifacts", "screenshots");
        Directory.CreateDirectory(directory);
        var pages = new List<(string Html, string Png)>();
        foreach (var type in EventTypes.All)
        {
            var parsed = new EventParser().Parse(RepositoryFiles.SampleBytes(type));
            Assert.True(parsed.IsSuccess, parsed.Error);
            var recipients = new RecipientResolver().Resolve(parsed.Event!);
            var message = TestEvents.Renderer().Render(parsed.Event!, recipients)[0];
            var html = Path.Combine(directory, type + ".html");
            await File.WriteAllTextAsync(html, message.HtmlBody);
            pages.Add((html, Path.Combine(directory, type + ".png")));
        }

        // Two at a time: the machine is shared, and each Chromium start costs about a second.
        await Parallel.ForEachAsync(pages, new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (page, cancellationToken) =>
        {
            File.Delete(page.Png);
            await ScreenshotAsync(chromium, page.Html, page.Png, cancellationToken);
        });

        foreach (var (_, png) in pages)
        {
            Assert.True(File.Exists(png), $"Chromium wrote no screenshot {png}");
            var bytes = await File.ReadAllBytesAsync(png);
            Assert.True(bytes.AsSpan().StartsWith(PngSignature), $"{png} is not a PNG");
            Assert.True(bytes.Length > MinimumPngBytes, $"{png} is only {bytes.Length} bytes: the page looks blank");
        }

        output.WriteLine($"{pages.Count} screenshots in {directory}");
    }

    private static async Task ScreenshotAsync(string chromium, string html, string png, CancellationToken cancellationToken)
    {
        var profile = Directory.CreateTempSubdirectory("notifier-chromium-");
        try
        {
            var start = new ProcessStartInfo(chromium)
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            foreach (var argument in new[]
            {
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--hide-scrollbars", $"--user-data-dir={profile.FullName}", "--window-size=800,1000",
                $"--screenshot={png}", new Uri(html).AbsoluteUri,
            })
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            _ = process.StandardOutput.ReadToEndAsync(cancellationToken);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(90));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"Chromium did not finish a screenshot of {html} within 90 s");
            }

            Assert.True(process.ExitCode == 0, $"Chromium exited with {process.ExitCode}: {await stderr}");
        }
        finally
        {
            profile.Delete(recursive: true);
        }
    }

    private static string? FindChromium()
    {
        foreach (var name in new[] { "chromium", "chromium-browser", "google-chrome" })
        {
            foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
            {
                var path = Path.Combine(directory, name);
                if (File.Exists(path))
                {
                    return path;
                }
            }
        }

        return null;
    }
}

using System.Diagnostics;

namespace Notifier.Benchmarks;

/// <summary>Publishes both handlers self-contained for linux-x64 with ReadyToRun, the way they are deployed.</summary>
internal static class Publisher
{
    public static async Task<string> PublishNotifierAsync(string root, bool publish)
    {
        var folder = Path.Combine(root, "artifacts", "bench", "functionapp");
        if (publish || !File.Exists(Path.Combine(folder, "notifier")))
        {
            await RunAsync("bash", Path.Combine(root, "src", "Notifier", "publish.sh"), folder);
        }

        return Path.Combine(folder, "notifier");
    }

    public static async Task<string> PublishEmptyAppAsync(string root, bool publish)
    {
        var folder = Path.Combine(root, "artifacts", "bench", "empty-handler");
        if (publish || !File.Exists(Path.Combine(folder, "empty-handler")))
        {
            await RunAsync("dotnet", "publish", Path.Combine(root, "bench", "Notifier.Benchmarks.EmptyApp", "Notifier.Benchmarks.EmptyApp.csproj"),
                "-c", "Release", "-r", "linux-x64", "--self-contained", "true", "-p:PublishReadyToRun=true", "-p:DebugType=none", "-o", folder, "--nologo");
        }

        return Path.Combine(folder, "empty-handler");
    }

    private static async Task RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed with {process.ExitCode}");
        }
    }
}

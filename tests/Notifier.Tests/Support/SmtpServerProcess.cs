using System.Diagnostics;
using System.Text.Json;

namespace Notifier.Tests.Support;

/// <summary>
/// A real SMTP server process (aiosmtpd, smtp_server.py) on an ephemeral loopback port that keeps what it
/// receives. Failing to start it fails the test: end-to-end tests never skip silently.
/// </summary>
internal sealed class SmtpServerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private SmtpServerProcess(Process process, int port, string directory)
    {
        _process = process;
        Port = port;
        Directory = directory;
    }

    public int Port { get; }

    public string Directory { get; }

    /// <summary>How many SMTP connections clients opened.</summary>
    public int Connections => File.Exists(System.IO.Path.Combine(Directory, "connections")) ? File.ReadAllLines(System.IO.Path.Combine(Directory, "connections")).Length : 0;

    public static async Task<SmtpServerProcess> StartAsync()
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("notifier-smtp-").FullName;
        var script = System.IO.Path.Combine(AppContext.BaseDirectory, "Support", "smtp_server.py");
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add("--out");
        start.ArgumentList.Add(directory);
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start /usr/bin/python3");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
        if (line is null || !line.StartsWith("READY ", StringComparison.Ordinal))
        {
            var error = await process.StandardError.ReadToEndAsync(timeout.Token);
            throw new InvalidOperationException($"the aiosmtpd test server did not start (is python3-aiosmtpd installed? run tests/install-deps.sh): {line} {error}");
        }

        return new SmtpServerProcess(process, int.Parse(line[6..], System.Globalization.CultureInfo.InvariantCulture), directory);
    }

    /// <summary>The messages received so far: raw bytes and envelope recipients, in arrival order.</summary>
    public IReadOnlyList<(string Raw, IReadOnlyList<string> To)> Messages()
    {
        return [.. System.IO.Directory.EnumerateFiles(Directory, "*.eml")
            .OrderBy(f => int.Parse(System.IO.Path.GetFileNameWithoutExtension(f), System.Globalization.CultureInfo.InvariantCulture))
            .Select(f =>
            {
                using var envelope = JsonDocument.Parse(File.ReadAllText(System.IO.Path.ChangeExtension(f, ".json")));
                IReadOnlyList<string> to = [.. envelope.RootElement.GetProperty("to").EnumerateArray().Select(t => t.GetString()!)];
                return (File.ReadAllText(f), to);
            })];
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}

using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Notifier.Tests.Support;

/// <summary>
/// The built <c>notifier</c> as a real process: <c>dotnet notifier.dll ...</c> from the test output, or a
/// published self-contained executable. Environment starts clean of Mail__/KeyVault__/Notifications__/AzureWebJobsStorage settings so the
/// developer's own shell cannot leak in.
/// </summary>
internal sealed partial class NotifierProcess : IAsyncDisposable
{
    /// <summary>How long a handler may take to start on a loaded machine (ReadyToRun or not).</summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly List<string> _output = [];

    private NotifierProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Add(e.Data);
        _process.ErrorDataReceived += (_, e) => Add(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join("\n", _output);
            }
        }
    }

    public Process Process => _process;

    public static NotifierProcess Start(IReadOnlyDictionary<string, string?> environment, string? executable, string? workingDirectory, params string[] args)
    {
        ProcessStartInfo start;
        if (executable is null)
        {
            start = new ProcessStartInfo("dotnet");
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "notifier.dll"));
        }
        else
        {
            start = new ProcessStartInfo(executable);
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.UseShellExecute = false;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.RedirectStandardInput = true;
        start.WorkingDirectory = workingDirectory ?? Directory.CreateTempSubdirectory("notifier-run-").FullName;
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("Mail__", StringComparison.Ordinal) || k.StartsWith("KeyVault__", StringComparison.Ordinal) || k.StartsWith("Notifications__", StringComparison.Ordinal) || k.StartsWith("Bitbucket__", StringComparison.Ordinal) || k.StartsWith("AzureWebJobsStorage", StringComparison.Ordinal) || k.StartsWith("APPLICATIONINSIGHTS_", StringComparison.Ordinal) || k == "FUNCTIONS_CUSTOMHANDLER_PORT").ToList())
        {
            start.Environment.Remove(key);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        return new NotifierProcess(Process.Start(start) ?? throw new InvalidOperationException("could not start notifier"));
    }

    /// <summary>Stops the process as the platform does on scale-in: SIGTERM, then waits for it to exit.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    /// <summary>Runs a command to completion: exit code and everything it printed.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(IReadOnlyDictionary<string, string?> environment, string? workingDirectory, string? stdin, params string[] args)
    {
        await using var process = Start(environment, null, workingDirectory, args);
        if (stdin is not null)
        {
            await process.Process.StandardInput.WriteAsync(stdin);
        }

        process.Process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.Process.WaitForExitAsync(timeout.Token);
        process.Process.WaitForExit();
        return (process.Process.ExitCode, process.Output);
    }

    /// <summary>
    /// <c>notifier serve</c> as the Functions host starts it, but on a port the handler binds itself
    /// (<c>FUNCTIONS_CUSTOMHANDLER_PORT=0</c>) and reports in its log, so no other process can take the port between
    /// choosing and binding, with the deployed runtime settings. Returns once <c>GET /</c> answers, with a client for that port.
    /// </summary>
    public static async Task<(NotifierProcess Process, HttpClient Client)> ServeAsync(
        IReadOnlyDictionary<string, string?> environment, string? executable = null, string? workingDirectory = null, TimeSpan? requestTimeout = null)
    {
        var deployed = new Dictionary<string, string?>(DeployedRuntimeSettings.Read(Infra.RepositoryLayout.LocalSettingsExample), StringComparer.Ordinal) { ["FUNCTIONS_CUSTOMHANDLER_PORT"] = "0" };
        foreach (var (key, value) in environment)
        {
            deployed[key] = value;
        }

        var process = Start(deployed, executable, workingDirectory, "serve");
        HttpClient? client = null;
        try
        {
            var port = await process.WaitForPortAsync(StartTimeout);
            client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            if (requestTimeout is { } longer)
            {
                client.Timeout = longer;
            }

            await process.WaitUntilServingAsync(client, StartTimeout);
            return (process, client);
        }
        catch
        {
            client?.Dispose();
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>The port in the handler's "Listening on http://127.0.0.1:PORT" line (log 3700).</summary>
    private async Task<int> WaitForPortAsync(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (ListeningLine().Match(Output) is { Success: true } match)
            {
                return int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            }

            if (_process.HasExited)
            {
                throw new InvalidOperationException($"notifier exited with {_process.ExitCode} before listening: {Output}");
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"notifier did not say which port it listens on within {timeout}: {Output}");
            }

            await Task.Delay(25);
        }
    }

    [GeneratedRegex(@"Listening on http://127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningLine();

    /// <summary>Polls <c>GET /</c> as the Functions host does until the handler answers.</summary>
    public async Task WaitUntilServingAsync(HttpClient client, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"notifier exited with {_process.ExitCode}: {Output}");
            }

            try
            {
                using var response = await client.GetAsync("/");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(25);
        }

        throw new TimeoutException($"notifier did not answer GET / within {timeout}: {Output}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Add(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.Add(line);
            }
        }
    }
}

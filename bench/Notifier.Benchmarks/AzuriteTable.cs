using System.Diagnostics;
using System.Globalization;

namespace Notifier.Benchmarks;

/// <summary>
/// Azurite's table server (<c>azurite-table</c>, installed by tests/install-deps.sh) on a free loopback port, in
/// memory, for the digest benchmark. Azurite does not report the port it bound, so a port is picked first and
/// the start is tried again when another process took it meanwhile.
/// </summary>
internal sealed class AzuriteTable : IAsyncDisposable
{
    // The development account every Azurite serves: Microsoft's documented emulator key, not a secret.
    private const string Account = "devstoreaccount1";
    private const string DevelopmentKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly Process _process;
    private readonly string _workspace;

    private AzuriteTable(Process process, string workspace, int port)
    {
        _process = process;
        _workspace = workspace;
        ConnectionString = $"DefaultEndpointsProtocol=http;AccountName={Account};AccountKey={DevelopmentKey};TableEndpoint=http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/{Account};";
    }

    /// <summary>What <c>AzureWebJobsStorage</c> holds to reach this server.</summary>
    public string ConnectionString { get; }

    public static async Task<AzuriteTable> StartAsync()
    {
        var output = new System.Text.StringBuilder();
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var port = SmtpSink.FreePort();
            var workspace = Directory.CreateTempSubdirectory("bench-azurite-").FullName;
            var start = new ProcessStartInfo("azurite-table") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workspace };
            foreach (var arg in new[] { "--tableHost", "127.0.0.1", "--tablePort", port.ToString(CultureInfo.InvariantCulture), "--inMemoryPersistence", "--skipApiVersionCheck", "--loose", "--disableTelemetry" })
            {
                start.ArgumentList.Add(arg);
            }

            var process = Process.Start(start) ?? throw new InvalidOperationException("azurite-table did not start (run tests/install-deps.sh)");
            var started = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            void Read(string? line)
            {
                if (line is null)
                {
                    return;
                }

                lock (output)
                {
                    output.AppendLine(line);
                }

                if (line.Contains("successfully", StringComparison.Ordinal) || line.Contains("EADDRINUSE", StringComparison.Ordinal))
                {
                    started.TrySetResult(line.Contains("successfully", StringComparison.Ordinal));
                }
            }

            process.OutputDataReceived += (_, e) => Read(e.Data);
            process.ErrorDataReceived += (_, e) => Read(e.Data);
            process.EnableRaisingEvents = true;
            process.Exited += (_, _) => started.TrySetResult(false);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var server = new AzuriteTable(process, workspace, port);
            if (await started.Task.WaitAsync(TimeSpan.FromSeconds(30)).ContinueWith(t => t.IsCompletedSuccessfully && t.Result, TaskScheduler.Default))
            {
                return server;
            }

            await server.DisposeAsync();
        }

        throw new InvalidOperationException("azurite-table did not start: " + output);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_workspace, recursive: true);
        }
        catch (IOException)
        {
            // Still held open by the exiting process; the system cleans the temp folder.
        }
    }
}

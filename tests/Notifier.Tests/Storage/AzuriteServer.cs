using System.Diagnostics;
using System.Globalization;
using Notifier.Tests.Support;

namespace Notifier.Tests.Storage;

/// <summary>
/// A real Azurite server process (<c>azurite-table</c> or <c>azurite-blob</c>, npm azurite 3.37.0, installed by
/// tests/install-deps.sh) on a free loopback port, in memory, with the well-known development account. Azurite
/// prints port 0 instead of the bound port, so the port is reserved first and the start retried if another
/// process took it meanwhile. Never skips: a missing Azurite fails the test with the fix.
/// </summary>
public sealed class AzuriteServer : IAsyncDisposable
{
    /// <summary>The development storage account every Azurite serves (documented, not a secret).</summary>
    public const string AccountName = "devstoreaccount1";

    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly Process _process;
    private readonly string _workspace;
    private readonly List<string> _output;

    private AzuriteServer(AzuriteService service, int port, Process process, string workspace, List<string> output)
    {
        Service = service;
        Port = port;
        _process = process;
        _workspace = workspace;
        _output = output;
    }

    public AzuriteService Service { get; }

    public int Port { get; }

    /// <summary>The service endpoint, e.g. <c>http://127.0.0.1:PORT/devstoreaccount1</c>.</summary>
    public Uri Endpoint => new($"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/{AccountName}");

    /// <summary>A connection string for this server only (what <c>AzureWebJobsStorage</c> holds).</summary>
    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};{(Service == AzuriteService.Table ? "TableEndpoint" : "BlobEndpoint")}={Endpoint};";

    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    public static async Task<AzuriteServer> StartAsync(AzuriteService service, CancellationToken cancellationToken = default)
    {
        var executable = service == AzuriteService.Table ? "azurite-table" : "azurite-blob";
        var failures = new List<string>();
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var port = FreePort.Next();
            var workspace = Directory.CreateTempSubdirectory("azurite-").FullName;
            var start = new ProcessStartInfo(executable)
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = workspace,
            };
            var prefix = service == AzuriteService.Table ? "--table" : "--blob";
            foreach (var arg in new[] { $"{prefix}Host", "127.0.0.1", $"{prefix}Port", port.ToString(CultureInfo.InvariantCulture), "--inMemoryPersistence", "--skipApiVersionCheck", "--loose", "--disableTelemetry" })
            {
                start.ArgumentList.Add(arg);
            }

            Process process;
            try
            {
                process = Process.Start(start) ?? throw new InvalidOperationException($"{executable} did not start");
            }
            catch (System.ComponentModel.Win32Exception ex)
            {
                Directory.Delete(workspace, recursive: true);
                throw new InvalidOperationException($"{executable} is not installed ({ex.Message}): run tests/install-deps.sh (npm install -g azurite@3.37.0)", ex);
            }

            var output = new List<string>();
            var started = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            void Add(string? line)
            {
                if (line is null)
                {
                    return;
                }

                lock (output)
                {
                    output.Add(line);
                }

                // "successfully started" (table) or "successfully listens on" (blob).
                if (line.Contains("successfully", StringComparison.Ordinal))
                {
                    started.TrySetResult(true);
                }
                else if (line.Contains("EADDRINUSE", StringComparison.Ordinal) || line.StartsWith("Exit", StringComparison.Ordinal))
                {
                    started.TrySetResult(false);
                }
            }

            process.OutputDataReceived += (_, e) => Add(e.Data);
            process.ErrorDataReceived += (_, e) => Add(e.Data);
            process.EnableRaisingEvents = true;
            process.Exited += (_, _) => started.TrySetResult(false);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();

            var server = new AzuriteServer(service, port, process, workspace, output);
            bool ok;
            try
            {
                ok = await started.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            }
            catch (TimeoutException)
            {
                ok = false;
            }

            if (ok)
            {
                return server;
            }

            failures.Add($"port {port}: {server.Output}");
            await server.DisposeAsync();
        }

        throw new InvalidOperationException($"{executable} did not start: {string.Join(" | ", failures)}");
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
            // A file still held open; the temp folder is cleaned by the system.
        }
    }
}

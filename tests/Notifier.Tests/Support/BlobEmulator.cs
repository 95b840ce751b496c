using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace Notifier.Tests.Support;

/// <summary>
/// Azurite's blob server (<c>azurite-blob</c>, installed by tests/install-deps.sh) as a real process on a free
/// loopback port, keeping blobs in memory, with the emulator's published development account. Ready once its
/// port accepts connections. A missing Azurite fails the test with the fix; it never skips.
/// </summary>
public sealed class BlobEmulator : IAsyncDisposable
{
    /// <summary>The development account and key every Azurite accepts (public, documented values).</summary>
    private const string DevelopmentAccount = "AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly Process _process;
    private readonly StringWriter _log = new();

    private BlobEmulator(Process process, int port)
    {
        _process = process;
        Port = port;
        _process.OutputDataReceived += (_, e) => Log(e.Data);
        _process.ErrorDataReceived += (_, e) => Log(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Port { get; }

    /// <summary>What <c>AzureWebJobsStorage</c> holds to reach this emulator.</summary>
    public string ConnectionString => $"DefaultEndpointsProtocol=http;{DevelopmentAccount};BlobEndpoint=http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/devstoreaccount1;";

    public static async Task<BlobEmulator> StartAsync()
    {
        var port = FreePort.Next();
        var start = new ProcessStartInfo("azurite-blob")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Directory.CreateTempSubdirectory("notifier-azurite-").FullName,
        };
        foreach (var arg in new[] { "--blobHost", "127.0.0.1", "--blobPort", port.ToString(CultureInfo.InvariantCulture), "--inMemoryPersistence", "--skipApiVersionCheck", "--disableTelemetry", "--silent" })
        {
            start.ArgumentList.Add(arg);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"azurite-blob could not be started ({e.Message}); run tests/install-deps.sh", e);
        }

        var emulator = new BlobEmulator(process, port);
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"azurite-blob exited with {process.ExitCode}: {emulator._log}");
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", port);
                return emulator;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        await emulator.DisposeAsync();
        throw new TimeoutException($"azurite-blob did not listen on {port} within 60 s: {emulator._log}");
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

    private void Log(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.WriteLine(line);
            }
        }
    }
}

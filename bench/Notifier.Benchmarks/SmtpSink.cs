using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Notifier.Benchmarks;

/// <summary>Postfix's smtp-sink on a loopback port: accepts and discards mail as fast as SMTP allows.</summary>
internal sealed class SmtpSink : IAsyncDisposable
{
    private readonly Process _process;

    private SmtpSink(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>CPU time smtp-sink has used so far (it serves one handler at a time in the A/B).</summary>
    public TimeSpan CpuTime() => ProcessCpu.Of(_process.Id);

    public static async Task<SmtpSink> StartAsync()
    {
        var port = FreePort();
        var start = new ProcessStartInfo("/usr/sbin/smtp-sink") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        if (Environment.UserName == "root")
        {
            start.ArgumentList.Add("-u");
            start.ArgumentList.Add("nobody");
        }

        start.ArgumentList.Add($"127.0.0.1:{port}");
        start.ArgumentList.Add("1024");
        var process = Process.Start(start) ?? throw new InvalidOperationException("smtp-sink did not start (install postfix)");
        for (var i = 0; i < 200; i++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return new SmtpSink(process, port);
            }
            catch (SocketException)
            {
                await Task.Delay(25);
            }
        }

        throw new InvalidOperationException("smtp-sink did not listen: " + await process.StandardError.ReadToEndAsync());
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text;
using Notifier.Tests.Support;

namespace Notifier.Benchmarks;

/// <summary>A handler process started the way the Functions host starts it, and host-shaped invocations for it.</summary>
internal sealed class Handler : IAsyncDisposable
{
    private Handler(Process process, HttpClient client)
    {
        Process = process;
        Client = client;
    }

    public Process Process { get; }

    public HttpClient Client { get; }

    public static Handler Start(string executable, int smtpPort, int maxConnections = 4, IReadOnlyDictionary<string, string>? environment = null)
    {
        var port = SmtpSink.FreePort();
        var start = new ProcessStartInfo(executable) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("serve");
        start.WorkingDirectory = Path.GetDirectoryName(executable)!;
        start.Environment["FUNCTIONS_CUSTOMHANDLER_PORT"] = port.ToString(CultureInfo.InvariantCulture);
        start.Environment["Mail__Host"] = "127.0.0.1";
        start.Environment["Mail__Port"] = smtpPort.ToString(CultureInfo.InvariantCulture);
        start.Environment["Mail__Tls"] = "None";
        start.Environment["Mail__From"] = "Code Review <noreply@example.com>";
        start.Environment["Mail__MaxConnections"] = maxConnections.ToString(CultureInfo.InvariantCulture);
        start.Environment["Notifications__BaseUrl"] = "https://git.example.com/";
        // This harness measures sending each event; the digest benchmark has its own mode (--digests).
        start.Environment["Notifications__Batching__Mode"] = "Immediate";
        start.Environment.Remove("AzureWebJobsStorage");
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (name, value) in DeployedRuntimeSettings.Read(Path.Combine(Paths.RepositoryRoot(), "local.settings.json.example")))
        {
            start.Environment[name] = value;
        }

        // After the deployed settings, so that a variant (--compare-env) can try another value of one of them.
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64, UseProxy = false })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}"),
        };
        return new Handler(process, client);
    }

    /// <summary>Polls GET / every millisecond, as tightly as a host could, until it answers.</summary>
    public async Task WaitUntilServingAsync()
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            try
            {
                using var response = await Client.GetAsync("/");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                await Task.Delay(1);
            }
        }

        throw new TimeoutException("the handler did not answer GET /");
    }

    /// <summary>Posts one Service Bus invocation (binary body, as our function.json asks) and checks the outcome.</summary>
    public async Task InvokeAsync(string invocation)
    {
        using var content = new StringContent(invocation, Encoding.UTF8, "application/json");
        using var response = await Client.PostAsync("/PullRequestEvents", content);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode || text.Contains("\"outcome\":\"dropped\"", StringComparison.Ordinal) || text.Contains("\"outcome\":\"rejected\"", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"invocation not delivered: {(int)response.StatusCode} {text}");
        }
    }

    public static string Invocation(byte[] body, string messageId) =>
        $"{{\"Data\":{{\"message\":\"{Convert.ToBase64String(body)}\"}},\"Metadata\":{{\"MessageId\":\"{messageId}\",\"DeliveryCount\":1,\"ContentType\":\"application/json\",\"ApplicationProperties\":{{}}}}}}";

    /// <summary>CPU time the handler has used so far.</summary>
    public TimeSpan CpuTime() => ProcessCpu.Of(Process.Id);

    /// <summary>Peak resident set size (VmHWM) in MB.</summary>
    public double PeakRssMegabytes()
    {
        foreach (var line in File.ReadLines($"/proc/{Process.Id}/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
            }
        }

        return double.NaN;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!Process.HasExited)
        {
            Process.Kill();
            await Process.WaitForExitAsync();
        }

        Process.Dispose();
    }
}

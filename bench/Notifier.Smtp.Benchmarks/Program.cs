using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging.Abstractions;
using MimeKit;
using Notifier.Smtp;
using Notifier.Smtp.Messages;
using Notifier.Smtp.Options;

// Throughput harness (not a timed test) against Postfix smtp-sink on loopback. In the same run, interleaved:
// smtp-source (Postfix's classic non-pipelining load generator), a bare MailKit client on a TCP_NODELAY
// socket building a plain MimeKit message per send (the reference), and Notifier's full path
// (EmailMessage -> MimeMessageBuilder -> pooled SmtpTransport on MailKit).
// Usage: dotnet run -c Release --project bench/Notifier.Smtp.Benchmarks [-- --messages N --repeats R]
var messages = IntArg("--messages", 10_000);
var perConnectionMessages = IntArg("--new-connection-messages", 2_000);
var repeats = IntArg("--repeats", 3);
var only = StringArg("--only");
int[] sizes = StringArg("--sizes") is { } list ? [.. list.Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture))] : [1024, 20 * 1024];

var port = FreePort();
using var sink = StartSink(port);
await WaitForPortAsync(port);
Console.Error.WriteLine($"smtp-sink on 127.0.0.1:{port}; {messages} messages per run, {repeats} repeats");

var rows = new List<Row>();
foreach (var size in sizes)
{
    var content = BuildMessage(size);
    var wireBytes = MimeMessageBuilder.ToArray(content).Length;
    Console.Error.WriteLine($"{SizeName(size)} body: {wireBytes} bytes per message as a 7-bit .eml (8bit on the wire when the server offers 8BITMIME)");
    var scenarios = new (string Mode, int Count, string SourceArgs, Func<int, Task> Ours, Func<int, Task> Bare)[]
    {
        ("1 connection, reused", messages, $"-d -s 1 -m {messages}", n => SendAsync(port, content, n, connections: 1), n => BareMailKitAsync(port, content, n, connections: 1)),
        ("4 connections", messages, $"-d -s 4 -m {messages}", n => SendAsync(port, content, n, connections: 4), n => BareMailKitAsync(port, content, n, connections: 4)),
        ("new connection per message", perConnectionMessages, $"-s 1 -m {perConnectionMessages}", n => SendNewConnectionEachAsync(port, content, n), n => BareNewConnectionEachAsync(port, content, n)),
    };
    foreach (var (mode, count, sourceArgs, ours, bare) in scenarios.Where(s => only is null || s.Mode.StartsWith(only, StringComparison.Ordinal)))
    {
        await ours(Math.Min(count, 200)); // warm-up: JIT, pool, TCP
        await bare(Math.Min(count, 200));
        var oursRates = new List<double>();
        var bareRates = new List<double>();
        var sourceRates = new List<double>();
        var oursCpu = new List<double>();
        var bareCpu = new List<double>();
        var sourceCpu = new List<double>();
        long allocated = 0;
        long bareAllocated = 0;
        long sourcePeakKb = 0;
        var pairedRatios = new List<double>();
        for (var r = 0; r < repeats; r++)
        {
            // Every other round the reference goes first, so neither side always runs on a machine the other
            // has just warmed (or heated); each round's ratio is read as a pair.
            (double Rate, long Allocated, double Cpu) mine, reference;
            if (r % 2 == 0)
            {
                mine = await MeasureAsync(() => ours(count), count);
                reference = await MeasureAsync(() => bare(count), count);
            }
            else
            {
                reference = await MeasureAsync(() => bare(count), count);
                mine = await MeasureAsync(() => ours(count), count);
            }

            oursRates.Add(mine.Rate);
            oursCpu.Add(mine.Cpu);
            allocated = Math.Max(allocated, mine.Allocated / count);
            bareRates.Add(reference.Rate);
            bareCpu.Add(reference.Cpu);
            bareAllocated = Math.Max(bareAllocated, reference.Allocated / count);
            pairedRatios.Add(mine.Rate / reference.Rate);
            var (sourceRate, peakKb, sourceCpuPerMessage) = RunSmtpSource($"{sourceArgs} -l {size} 127.0.0.1:{port}", count);
            sourceRates.Add(sourceRate);
            sourceCpu.Add(sourceCpuPerMessage);
            sourcePeakKb = Math.Max(sourcePeakKb, peakKb);
        }

        var row = new Row(size, mode, Median(sourceRates), Median(bareRates), Median(oursRates), Median(pairedRatios), allocated, bareAllocated, sourcePeakKb, Median(sourceCpu), Median(bareCpu), Median(oursCpu));
        rows.Add(row);
        Console.Error.WriteLine($"{SizeName(size)} {mode}: smtp-source {row.Source:0} msg/s, bare MailKit {row.Bare:0} msg/s, Notifier {row.Ours:0} msg/s ({row.PairedRatio:0.00}x bare in pairs: {string.Join(" ", pairedRatios.Select(v => v.ToString("0.00", CultureInfo.InvariantCulture)))}; {row.Ours / row.Source:0.00}x smtp-source)");
    }
}

Console.WriteLine();
Console.WriteLine($"Full path (MimeKit message + pooled MailKit send) against bare MailKit and smtp-source. Medians of {repeats} rounds (the two MailKit paths back to back in each, alternating which goes first); {messages} messages per run ({perConnectionMessages} with a new connection per message); {Environment.ProcessorCount} cores; {DateTime.UtcNow:yyyy-MM-dd}.");
Console.WriteLine();
Console.WriteLine("| message | mode | smtp-source msg/s | bare MailKit msg/s | Notifier msg/s | Notifier / bare MailKit (median of pairs; of medians) | Notifier / smtp-source | targets | CPU µs/msg smtp-source / bare / Notifier | GC alloc/msg bare / Notifier |");
Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---|---:|---:|");
foreach (var row in rows)
{
    // Judged on the pairs: each round's two measurements ran back to back, so drift between rounds cancels.
    var toBare = row.PairedRatio;
    var toSource = row.Ours / row.Source;
    var verdicts = new List<string>();
    if (!row.Mode.StartsWith('n'))
    {
        verdicts.Add($"≥ 0.90 × bare {(toBare >= 0.9 ? "met" : "NOT met")}");
    }

    if (row.Mode.StartsWith('1') && row.Size >= 20 * 1024)
    {
        verdicts.Add($"≥ 0.50 × smtp-source {(toSource >= 0.5 ? "met" : "NOT met")}");
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {SizeName(row.Size)} | {row.Mode} | {row.Source:0} | {row.Bare:0} | {row.Ours:0} | {toBare:0.00}; {row.Ours / row.Bare:0.00} | {toSource:0.00} | {(verdicts.Count == 0 ? "—" : string.Join("; ", verdicts))} | {row.SourceCpu:0} / {row.BareCpu:0} / {row.OursCpu:0} | {row.BareAllocatedPerMessage / 1024.0:0.0} / {row.AllocatedPerMessage / 1024.0:0.0} KB |"));
}

using var self = Process.GetCurrentProcess();
Console.WriteLine();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Peak working set: Notifier harness process {self.PeakWorkingSet64 / (1024.0 * 1024):0} MB (whole .NET process, all scenarios); smtp-source max RSS {rows.Max(r => r.SourcePeakKb) / 1024.0:0.0} MB."));
sink.Kill();
return 0;

static async Task SendAsync(int port, EmailMessage message, int count, int connections)
{
    await using var transport = new SmtpTransport(Options(port, connections), NullLogger<SmtpTransport>.Instance);
    var next = -1;
    // N concurrent senders share one pool of N connections, as the notifier's delivery loop does.
    await Task.WhenAll(Enumerable.Range(0, connections).Select(_ => Task.Run(async () =>
    {
        while (Interlocked.Increment(ref next) < count)
        {
            await transport.SendAsync(message, CancellationToken.None);
        }
    })));
}

static async Task SendNewConnectionEachAsync(int port, EmailMessage message, int count)
{
    for (var i = 0; i < count; i++)
    {
        await using var transport = new SmtpTransport(Options(port, 1), NullLogger<SmtpTransport>.Instance);
        await transport.SendAsync(message, CancellationToken.None);
    }
}

// The reference: what an application gets from MailKit alone, with Nagle off on its own socket (without it
// MailKit waits about 40 ms for the server's delayed ACK on every multi-write message).
static async Task<SmtpClient> BareConnectAsync(int port)
{
    var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    await socket.ConnectAsync(IPAddress.Loopback, port);
    var client = new SmtpClient();
    await client.ConnectAsync(socket, "127.0.0.1", port, SecureSocketOptions.None);
    return client;
}

static MimeMessage BareMessage(EmailMessage message)
{
    var mime = new MimeMessage();
    mime.From.Add(new MailboxAddress(message.From.DisplayName ?? "", message.From.Address));
    mime.To.Add(new MailboxAddress("", message.To[0].Address));
    mime.Subject = message.Subject;
    mime.Body = new TextPart("plain") { Text = message.TextBody };
    return mime;
}

static async Task BareMailKitAsync(int port, EmailMessage message, int count, int connections)
{
    var next = -1;
    await Task.WhenAll(Enumerable.Range(0, connections).Select(_ => Task.Run(async () =>
    {
        using var client = await BareConnectAsync(port);
        while (Interlocked.Increment(ref next) < count)
        {
            using var mime = BareMessage(message);
            await client.SendAsync(mime);
        }

        await client.DisconnectAsync(true);
    })));
}

static async Task BareNewConnectionEachAsync(int port, EmailMessage message, int count)
{
    for (var i = 0; i < count; i++)
    {
        using var client = await BareConnectAsync(port);
        using var mime = BareMessage(message);
        await client.SendAsync(mime);
        await client.DisconnectAsync(true);
    }
}

static MailOptions Options(int port, int connections) => new()
{
    Host = "127.0.0.1",
    Port = port,
    Tls = MailTls.None,
    From = "bench@example.com",
    MaxConnections = connections,
};

static async Task<(double Rate, long Allocated, double CpuMicrosecondsPerMessage)> MeasureAsync(Func<Task> run, int count)
{
    using var self = Process.GetCurrentProcess();
    var cpuBefore = self.TotalProcessorTime;
    var before = GC.GetTotalAllocatedBytes(precise: true);
    var clock = Stopwatch.StartNew();
    await run();
    clock.Stop();
    self.Refresh();
    var cpu = (self.TotalProcessorTime - cpuBefore).TotalMicroseconds / count;
    return (count / clock.Elapsed.TotalSeconds, GC.GetTotalAllocatedBytes(precise: true) - before, cpu);
}

static (double Rate, long PeakKb, double CpuMicrosecondsPerMessage) RunSmtpSource(string arguments, int count)
{
    // /usr/bin/time reports smtp-source's peak RSS; its own start-up is a few milliseconds of the run.
    var start = new ProcessStartInfo("/usr/bin/time", "-f \"%M %U %S\" /usr/sbin/smtp-source " + arguments)
    {
        RedirectStandardError = true,
        RedirectStandardOutput = true,
    };
    var clock = Stopwatch.StartNew();
    using var process = Process.Start(start)!;
    var stderr = process.StandardError.ReadToEnd();
    process.WaitForExit();
    clock.Stop();
    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException("smtp-source failed: " + stderr);
    }

    var last = stderr.Trim().Split('\n')[^1].Split(' ');
    var cpuSeconds = double.Parse(last[1], CultureInfo.InvariantCulture) + double.Parse(last[2], CultureInfo.InvariantCulture);
    return (count / clock.Elapsed.TotalSeconds, long.Parse(last[0], CultureInfo.InvariantCulture), cpuSeconds * 1e6 / count);
}

// A plain-text notification whose body is `size` bytes of prose in 76-character lines (smtp-source's -l
// also counts the body only). Each send runs the whole path: a MimeKit message (a fresh Message-ID and
// Date), MailKit's dot-stuffing and the SMTP exchange.
static EmailMessage BuildMessage(int size)
{
    var body = new StringBuilder();
    while (body.Length < size)
    {
        var line = "The quick brown fox jumps over the lazy dog. " + body.Length.ToString(CultureInfo.InvariantCulture);
        body.Append(line.PadRight(74, ' ')[..74]).Append("\r\n");
    }

    return new EmailMessage
    {
        From = new Mailbox("bench@example.com", "Benchmark"),
        To = [new Mailbox("sink@example.com")],
        Subject = "benchmark",
        TextBody = body.ToString(0, size),
    };
}

static Process StartSink(int port)
{
    var user = Environment.UserName == "root" ? "-u nobody " : "";
    var start = new ProcessStartInfo("/usr/sbin/smtp-sink", $"{user}127.0.0.1:{port} 1000")
    {
        RedirectStandardError = true,
        RedirectStandardOutput = true,
    };
    return Process.Start(start) ?? throw new InvalidOperationException("could not start /usr/sbin/smtp-sink (apt-get install postfix)");
}

static async Task WaitForPortAsync(int port)
{
    for (var i = 0; i < 100; i++)
    {
        try
        {
            using var probe = new TcpClient();
            await probe.ConnectAsync(IPAddress.Loopback, port);
            return;
        }
        catch (SocketException)
        {
            await Task.Delay(50);
        }
    }

    throw new InvalidOperationException("smtp-sink did not start listening");
}

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
}

static string SizeName(int size) => size >= 1024 ? $"{size / 1024} KB" : $"{size} B";

string? StringArg(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

int IntArg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

internal sealed record Row(int Size, string Mode, double Source, double Bare, double Ours, double PairedRatio, long AllocatedPerMessage, long BareAllocatedPerMessage, long SourcePeakKb, double SourceCpu, double BareCpu, double OursCpu);

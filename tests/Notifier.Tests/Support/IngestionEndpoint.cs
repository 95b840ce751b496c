using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Notifier.Tests.Support;

/// <summary>
/// A real HTTP server on loopback playing Application Insights' ingestion endpoint: it accepts what the
/// Azure Monitor exporter posts to <c>/v2.1/track</c> (gzip, one JSON telemetry item per line), answers as
/// the service does, and keeps every item for the test to read.
/// </summary>
internal sealed class IngestionEndpoint : IDisposable
{
    public const string InstrumentationKey = "00000000-0000-0000-0000-0000000000a1";

    private readonly HttpListener _listener = new();
    private readonly List<JsonElement> _items = [];
    private readonly Task _loop;

    public IngestionEndpoint()
    {
        Port = FreePort.Next();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public string ConnectionString => $"InstrumentationKey={InstrumentationKey};IngestionEndpoint=http://127.0.0.1:{Port}/";

    /// <summary>The paths posted to, e.g. <c>/v2.1/track</c>.</summary>
    public List<string> Paths { get; } = [];

    public IReadOnlyList<JsonElement> Items
    {
        get
        {
            lock (_items)
            {
                return [.. _items];
            }
        }
    }

    /// <summary>Items whose envelope data has this base type: MetricData, MessageData, RemoteDependencyData, RequestData...</summary>
    public IReadOnlyList<JsonElement> OfType(string baseType) =>
        [.. Items.Where(i => i.TryGetProperty("data", out var d) && d.GetProperty("baseType").GetString() == baseType).Select(i => i.GetProperty("data").GetProperty("baseData"))];

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // Stopping the listener ends the loop with an exception; nothing is left to read.
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            var received = Read(context.Request);
            lock (_items)
            {
                Paths.Add(context.Request.Url!.AbsolutePath);
                _items.AddRange(received);
            }

            var answer = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { itemsReceived = received.Count, itemsAccepted = received.Count, errors = Array.Empty<object>() }));
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(answer);
            context.Response.Close();
        }
    }

    private static List<JsonElement> Read(HttpListenerRequest request)
    {
        Stream body = request.InputStream;
        if (string.Equals(request.Headers["Content-Encoding"], "gzip", StringComparison.OrdinalIgnoreCase))
        {
            body = new GZipStream(body, CompressionMode.Decompress);
        }

        using var reader = new StreamReader(body, Encoding.UTF8);
        return [.. reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => JsonDocument.Parse(line).RootElement.Clone())];
    }
}

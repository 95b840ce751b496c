using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Notifier.Smtp.Tests.Servers;

/// <summary>
/// Decodes raw messages with Python's <c>email</c> package (decode_messages.py), so the MIME writer is never
/// graded by a reader of our own. Many messages go through one Python process, because starting it costs
/// more than parsing hundreds of messages.
/// </summary>
public static class PythonEmailParser
{
    /// <summary>Debian's interpreter: python3-aiosmtpd is installed for it, not for a python3 earlier on PATH.</summary>
    public const string Python = "/usr/bin/python3";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string ScriptPath(string name) => Path.Combine(AppContext.BaseDirectory, "Servers", name);

    public static async Task<DecodedMessage> DecodeAsync(byte[] raw) => (await DecodeAsync([raw]))[0];

    public static Task<IReadOnlyList<DecodedMessage>> DecodeAsync(IEnumerable<byte[]> messages) =>
        RunAsync(messages.Select(m => new Dictionary<string, string> { ["base64"] = Convert.ToBase64String(m) }));

    public static Task<IReadOnlyList<DecodedMessage>> DecodeFilesAsync(IEnumerable<string> paths) =>
        RunAsync(paths.Select(p => new Dictionary<string, string> { ["path"] = p }));

    private static async Task<IReadOnlyList<DecodedMessage>> RunAsync(IEnumerable<Dictionary<string, string>> items)
    {
        var start = new ProcessStartInfo(Python, [ScriptPath("decode_messages.py")])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{Python} did not start.");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var errors = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.StandardInput.WriteAsync(JsonSerializer.Serialize(items));
        process.StandardInput.Close();
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"decode_messages.py failed ({process.ExitCode}): {await errors}");
        }

        var decoded = JsonSerializer.Deserialize<List<DecodedMessage>>(await output, Json)
            ?? throw new InvalidOperationException("decode_messages.py printed nothing.");
        for (var i = 0; i < decoded.Count; i++)
        {
            if (decoded[i].Error is not null)
            {
                throw new InvalidOperationException($"Python's email package could not parse message {i}: {decoded[i].Error}");
            }
        }

        return decoded;
    }
}

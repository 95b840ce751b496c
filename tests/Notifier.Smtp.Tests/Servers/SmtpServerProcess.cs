using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Notifier.Smtp.Tests.Servers;

/// <summary>
/// A real SMTP server process (smtp_server.py on aiosmtpd) on an ephemeral loopback port, recording what it
/// receives. The server binds the port itself (port 0) and reports the one it holds, so no other process can
/// take it between choosing and binding. Starting it either works or throws: a test that needs a server fails when it cannot have one,
/// in CI and locally alike, never skips. Disposing kills the process and deletes its records.
/// </summary>
public sealed class SmtpServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly Process _process;
    private readonly StringBuilder _errors;

    private SmtpServerProcess(Process process, StringBuilder errors, string recordDirectory, int port)
    {
        _process = process;
        _errors = errors;
        RecordDirectory = recordDirectory;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Where session-N.json and message-N.json appear.</summary>
    public string RecordDirectory { get; }

    /// <summary>What the server wrote on stderr so far (for failure messages).</summary>
    public string Errors
    {
        get
        {
            lock (_errors)
            {
                return _errors.ToString();
            }
        }
    }

    /// <summary>Messages accepted or refused at the end of DATA, oldest first.</summary>
    public IReadOnlyList<ReceivedMessage> Messages => Read<ReceivedMessage>("message-").OrderBy(m => m.Id).ToList();

    /// <summary>Connections, oldest first.</summary>
    public IReadOnlyList<ReceivedSession> Sessions => Read<ReceivedSession>("session-").OrderBy(s => s.Id).ToList();

    /// <summary>True when any connection got as far as sending MAIL FROM.</summary>
    public bool MailFromEverSent => Sessions.Any(s => s.MailFromSent);

    public static async Task<SmtpServerProcess> StartAsync(SmtpServerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var script = PythonEmailParser.ScriptPath("smtp_server.py");
        if (!File.Exists(script))
        {
            throw new InvalidOperationException($"The test SMTP server script is missing: {script}");
        }

        var records = Directory.CreateTempSubdirectory("notifier-smtp-server-").FullName;
        var start = new ProcessStartInfo(PythonEmailParser.Python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add("--port");
        start.ArgumentList.Add(options.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        start.ArgumentList.Add("--record");
        start.ArgumentList.Add(records);
        foreach (var argument in options.Arguments())
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("Process.Start returned null.");
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException)
        {
            throw new InvalidOperationException(
                $"Could not start {PythonEmailParser.Python} for the test SMTP server ({e.Message}). Run tests/install-deps.sh (it installs python3-aiosmtpd).", e);
        }

        var stderr = new StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (stderr)
                {
                    stderr.AppendLine(e.Data);
                }
            }
        };
        process.BeginErrorReadLine();

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StartTimeout);
        try
        {
            while (true)
            {
                var line = await process.StandardOutput.ReadLineAsync(timeout.Token)
                    ?? throw new InvalidOperationException(
                        $"The test SMTP server exited before it was ready (exit code {Exited(process)}). Is python3-aiosmtpd installed (tests/install-deps.sh)? stderr:\n{Text(stderr)}");
                if (line.StartsWith("READY port=", StringComparison.Ordinal))
                {
                    return new SmtpServerProcess(process, stderr, records, int.Parse(line["READY port=".Length..], CultureInfo.InvariantCulture));
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or InvalidOperationException)
        {
            Kill(process);
            Directory.Delete(records, recursive: true);
            if (e is InvalidOperationException)
            {
                throw;
            }

            throw new TimeoutException($"The test SMTP server did not print READY within {StartTimeout.TotalSeconds} s. stderr:\n{Text(stderr)}", e);
        }
    }

    /// <summary>Starts accepting connections on a server started with <see cref="SmtpServerOptions.StartClosed"/>.</summary>
    public async Task ListenAsync(CancellationToken cancellationToken = default)
    {
        await _process.StandardInput.WriteLineAsync("listen".AsMemory(), cancellationToken);
        await _process.StandardInput.FlushAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StartTimeout);
        while (await _process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line == "LISTENING")
            {
                return;
            }
        }

        throw new InvalidOperationException($"The test SMTP server exited instead of listening. stderr:\n{Errors}");
    }

    /// <summary>Waits until the server's sessions satisfy <paramref name="predicate"/> (records are written as commands arrive); fails the test at the deadline.</summary>
    public Task<IReadOnlyList<ReceivedSession>> WaitForSessionsAsync(Func<IReadOnlyList<ReceivedSession>, bool> predicate, TimeSpan? timeout = null) =>
        Eventually.ReachedAsync(() => Sessions, predicate, "the test SMTP server's sessions", timeout);

    public async ValueTask DisposeAsync()
    {
        Kill(_process);
        await _process.WaitForExitAsync();
        _process.Dispose();
        try
        {
            Directory.Delete(RecordDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A record being renamed at the moment of the kill; the temp folder is cleaned up by the OS later.
        }
    }

    private List<T> Read<T>(string prefix)
    {
        var items = new List<T>();
        foreach (var file in Directory.EnumerateFiles(RecordDirectory, prefix + "*.json"))
        {
            items.Add(JsonSerializer.Deserialize<T>(File.ReadAllText(file), Json)!);
        }

        return items;
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    private static string Exited(Process process)
    {
        if (!process.WaitForExit(2000))
        {
            return "still running";
        }

        // The parameterless wait also drains the asynchronous stderr reader, so the message shows all of it.
        process.WaitForExit();
        return process.ExitCode.ToString(CultureInfo.InvariantCulture);
    }

    private static string Text(StringBuilder builder)
    {
        lock (builder)
        {
            return builder.ToString();
        }
    }
}

using System.Globalization;
using Microsoft.Extensions.Logging;
using Notifier.Smtp.Messages;
using Notifier.Smtp.Options;

namespace Notifier.Smtp;

/// <summary>
/// The transport for local runs (<c>Mail__Host</c> empty): each message becomes a .eml file in
/// <c>Mail__OutboxDirectory</c>, which any mail client opens. A name says when, what and for whom
/// (<c>2026-11-22T03-04-05.678Z_pullrequest.opened_jane@example.com.eml</c>: the time, the
/// <c>X-Notifier-Event</c> header, the first recipient). Files appear atomically (written to a temporary
/// name, then renamed), so a reader watching the folder never sees half a message, and names never collide.
/// </summary>
public sealed partial class OutboxTransport : IMailTransport
{
    /// <summary>Header the notification renderer sets to the event type.</summary>
    private const string EventHeader = "X-Notifier-Event";

    /// <summary>
    /// Keep a name under the 255 bytes file systems allow, with room for the time and a counter: event types are
    /// short, and nearly every address fits whole.
    /// </summary>
    private const int MaxEventTypeLength = 60;

    private const int MaxRecipientLength = 150;

    private readonly string _directory;
    private readonly ILogger<OutboxTransport> _logger;
    private readonly TimeProvider _timeProvider;
    private readonly Lock _moveLock = new();

    public OutboxTransport(MailOptions options, ILogger<OutboxTransport> logger, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _directory = string.IsNullOrWhiteSpace(options.OutboxDirectory) ? "./outbox" : options.OutboxDirectory;
        _logger = logger;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public async Task<SendResult> SendAsync(EmailMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Recipients.Count == 0)
        {
            throw new ArgumentException("The message has no recipients; nothing was written to the outbox.", nameof(message));
        }

        using var mime = MimeMessageBuilder.Build(message, out var messageId);
        using var buffer = new MemoryStream(4096);
        MimeMessageBuilder.WriteSevenBit(mime, buffer, cancellationToken);

        try
        {
            Directory.CreateDirectory(_directory);
            var stamp = _timeProvider.GetUtcNow().ToString("yyyy-MM-dd'T'HH-mm-ss.fff'Z'", CultureInfo.InvariantCulture);
            var baseName = $"{stamp}_{SafeName(EventType(message), MaxEventTypeLength)}_{SafeName(message.Recipients[0].Address, MaxRecipientLength)}";
            var temporary = Path.Combine(_directory, $".{baseName}.{Guid.NewGuid():N}.tmp");
            await File.WriteAllBytesAsync(temporary, buffer.GetBuffer().AsMemory(0, (int)buffer.Length), cancellationToken);
            string path;
            lock (_moveLock)
            {
                // File.Move without overwrite is not atomic on every file system: within this process, names
                // are claimed one at a time so two messages with the same name never replace each other.
                path = MoveToFreeName(temporary, baseName);
            }

            LogWritten(_logger, messageId, path);
            return new SendResult(message.Recipients, [], $"written to {path}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SmtpException(
                $"Could not write the message to the outbox folder '{_directory}': {e.Message}",
                "Set Mail__OutboxDirectory to a writable folder, or set Mail__Host to send through an SMTP server.",
                e);
        }
    }

    private string MoveToFreeName(string temporary, string baseName)
    {
        for (var attempt = 0; ; attempt++)
        {
            var name = attempt == 0 ? $"{baseName}.eml" : $"{baseName}-{attempt}.eml";
            var path = Path.Combine(_directory, name);
            try
            {
                // Never overwrite: two messages with the same id in the same millisecond get numbered names.
                File.Move(temporary, path, overwrite: false);
                return path;
            }
            catch (IOException) when (File.Exists(path) && attempt < 1000)
            {
            }
            catch
            {
                File.Delete(temporary);
                throw;
            }
        }
    }

    private static string EventType(EmailMessage message)
    {
        foreach (var (name, value) in message.Headers)
        {
            if (string.Equals(name, EventHeader, StringComparison.OrdinalIgnoreCase) && !string.IsNullOrWhiteSpace(value))
            {
                return value;
            }
        }

        return "message";
    }

    /// <summary>
    /// Letters, digits, '.', '-', '_' and '@' only, so the name is valid and harmless on every file system; never
    /// ending in '.', so the file is never "..eml".
    /// </summary>
    private static string SafeName(string value, int maxLength)
    {
        var length = Math.Min(value.Length, maxLength);
        var safe = string.Create(length, value, static (target, source) =>
        {
            for (var i = 0; i < target.Length; i++)
            {
                var c = source[i];
                target[i] = char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '@' ? c : '_';
            }
        });
        safe = safe.Trim('.');
        return safe.Length == 0 ? "_" : safe;
    }

    [LoggerMessage(EventId = 2500, Level = LogLevel.Information, Message = "Wrote message {MessageId} to {Path}")]
    private static partial void LogWritten(ILogger logger, string messageId, string path);
}

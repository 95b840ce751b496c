using System.Globalization;
using System.Net.Sockets;
using Notifier.Smtp.Options;

namespace Notifier.Smtp.Client;

/// <summary>
/// Opens the TCP connection that MailKit then speaks SMTP over. We connect it ourselves for two reasons:
/// TCP_NODELAY (without it a message written in several pieces waits for the server's delayed ACK, about
/// 40 ms each), and <c>Mail__ConnectTimeout</c> with socket errors turned into admin messages.
/// </summary>
internal static class SocketConnector
{
    public static async Task<Socket> ConnectAsync(MailOptions options, CancellationToken cancellationToken)
    {
        var host = options.Host ?? "";
        var port = options.EffectivePort;
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ConnectTimeout);
        try
        {
            await socket.ConnectAsync(host, port, timeout.Token);
            return socket;
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new SmtpProtocolException(
                $"could not connect to {host}:{port} within {Seconds(options.ConnectTimeout)}",
                "check Mail__Host and Mail__Port and that no firewall drops the connection, or raise Mail__ConnectTimeout",
                e);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw e.SocketErrorCode switch
            {
                SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData => new SmtpProtocolException(
                    $"the mail server host name '{host}' could not be resolved ({e.Message})", "check Mail__Host", e),
                SocketError.ConnectionRefused => new SmtpProtocolException(
                    $"{host}:{port} refused the connection: no mail server listens there",
                    "check Mail__Host and Mail__Port (usually 25 or 587 for Mail__Protocol=Smtp, 465 for Smtps)", e),
                _ => new SmtpProtocolException(
                    $"could not connect to {host}:{port}: {e.Message}", "check Mail__Host and Mail__Port and the network path to the server", e),
            };
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public static string Seconds(TimeSpan t) => t.TotalSeconds >= 1
        ? t.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + " s"
        : t.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms";
}

using System.Buffers;
using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using Microsoft.Extensions.Logging;
using Notifier.Smtp.Diagnostics;
using Notifier.Smtp.Logging;
using Notifier.Smtp.Messages;
using Notifier.Smtp.Options;
using Notifier.Smtp.Tls;

namespace Notifier.Smtp.Protocol;

/// <summary>
/// One SMTP session over a <see cref="Stream"/>: greeting, EHLO/HELO, STARTTLS or SMTPS, AUTH, and mail
/// transactions. Not thread-safe: the pool hands a connection to one sender at a time. Any
/// <see cref="SmtpProtocolException"/>, a 421 reply or a cancellation leaves it <see cref="IsBroken"/>.
/// </summary>
internal sealed class SmtpConnection : IAsyncDisposable
{
    // RFC 5321 allows 512 octets per reply line; real servers send longer ones, so allow some slack while
    // still bounding what a misbehaving peer can make us buffer.
    private const int MaxLineLength = 8192;
    private const int MaxReplyLines = 1000;

    private readonly MailOptions _options;
    private readonly CertificateValidator _validator;
    private readonly ILogger _logger;
    private readonly string _host;
    private readonly int _port;
    private readonly PooledBufferWriter _output = new();
    private readonly System.Net.EndPoint? _localEndPoint;
    private Stream _stream;
    private byte[] _input = ArrayPool<byte>.Shared.Rent(MaxLineLength * 2);
    private int _inputStart;
    private int _inputEnd;
    private bool _needsReset;
    private bool _disposed;
    private List<string> _extensions = [];

    internal SmtpConnection(Stream stream, MailOptions options, CertificateValidator validator, ILogger logger)
    {
        _stream = stream;
        _options = options;
        _validator = validator;
        _logger = logger;
        _host = options.Host ?? "";
        _port = options.EffectivePort;
        _localEndPoint = (stream as NetworkStream)?.Socket.LocalEndPoint;
    }

    public SmtpCapabilities Capabilities { get; private set; }

    public SmtpAuthMechanisms AuthMechanisms { get; private set; }

    /// <summary>The mechanism names as offered, for diagnostics.</summary>
    public IReadOnlyList<string> AuthMechanismNames { get; private set; } = [];

    /// <summary>The server's SIZE limit in bytes; 0 when it announced none.</summary>
    public long MaxMessageSize { get; private set; }

    public IReadOnlyList<string> Extensions => _extensions;

    public SmtpReply? Greeting { get; private set; }

    public SmtpTlsInfo? TlsInfo { get; private set; }

    public bool IsEncrypted => TlsInfo is not null;

    public string? AuthMechanismUsed { get; private set; }

    /// <summary>The stage in progress or last finished; the probe reports failures against it.</summary>
    public SmtpStage Stage { get; private set; } = SmtpStage.Connect;

    /// <summary>True once the conversation cannot continue; the pool discards such connections.</summary>
    public bool IsBroken { get; private set; }

    /// <summary>True once the message content of the current transaction went out (retrying could duplicate it).</summary>
    public bool PayloadSent { get; private set; }

    /// <summary>Opens the transport stream with <c>Mail__ConnectTimeout</c> and maps socket errors to admin messages.</summary>
    public static async Task<SmtpConnection> OpenAsync(
        MailOptions options, CertificateValidator validator, ILogger logger, SmtpStreamFactory? factory, CancellationToken cancellationToken)
    {
        var host = options.Host ?? "";
        var port = options.EffectivePort;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ConnectTimeout);
        try
        {
            var stream = await (factory ?? SmtpSocketConnector.ConnectAsync)(host, port, timeout.Token);
            return new SmtpConnection(stream, options, validator, logger);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SmtpProtocolException(
                $"could not connect to {host}:{port} within {Seconds(options.ConnectTimeout)}",
                "check Mail__Host and Mail__Port and that no firewall drops the connection, or raise Mail__ConnectTimeout",
                e);
        }
        catch (SocketException e)
        {
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
    }

    /// <summary>
    /// Greeting, (SMTPS handshake), EHLO, STARTTLS per <c>Mail__Tls</c>, EHLO again, and AUTH. Nothing of a
    /// message is sent here, so any failure means nothing was sent.
    /// </summary>
    public async Task EstablishAsync(SmtpCredentials? credentials, Action<SmtpStageResult>? observer, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            if (_options.Protocol == MailProtocol.Smtps)
            {
                Stage = SmtpStage.Connect;
                observer?.Invoke(new(SmtpStage.Connect, true, $"TCP connection to {_host}:{_port} open; TLS from the first byte (SMTPS)"));
                Stage = SmtpStage.Tls;
                timeout.CancelAfter(_options.CommandTimeout);
                await HandshakeAsync(implicitTls: true, timeout.Token);
                Greeting = await ReadGreetingAsync(timeout, cancellationToken);
                observer?.Invoke(new(SmtpStage.Tls, true, DescribeTls(TlsInfo!), Greeting.ToString()));
            }
            else
            {
                Stage = SmtpStage.Connect;
                Greeting = await ReadGreetingAsync(timeout, cancellationToken);
                observer?.Invoke(new(SmtpStage.Connect, true, $"connected to {_host}:{_port}", Greeting.ToString()));
            }

            if (_logger.IsEnabled(LogLevel.Debug))
            {
                // Formatted only when the level is on (the guard above).
                var protocol = _options.Protocol.ToString();
                var greeting = Greeting.ToString();
                SmtpLog.Connected(_logger, _host, _port, protocol, greeting);
            }
            Stage = SmtpStage.Ehlo;
            var hello = await HelloAsync(timeout);
            observer?.Invoke(new(SmtpStage.Ehlo, true, DescribeExtensions(), hello.ToString()));

            if (_options.Protocol == MailProtocol.Smtp && _options.Tls != MailTls.None)
            {
                if (Capabilities.HasFlag(SmtpCapabilities.StartTls))
                {
                    Stage = SmtpStage.Tls;
                    var reply = await CommandAsync("STARTTLS", timeout);
                    if (reply.Code != SmtpReplyCode.ServiceReady)
                    {
                        // Once TLS was attempted we never continue in plaintext (DESIGN §3).
                        throw Refused("STARTTLS", reply, null,
                            "fix TLS on the mail server; Notifier never falls back to plaintext once STARTTLS was tried (Mail__Tls=None disables STARTTLS)");
                    }

                    if (_inputEnd != _inputStart)
                    {
                        // Bytes after the 220 arrived before the handshake: a man in the middle could have
                        // injected commands there (CVE-2011-0411 class), so the session is not trusted.
                        throw new SmtpProtocolException(
                            $"{_host} sent data after agreeing to STARTTLS; the session was dropped because that data could be injected",
                            "check the network path to the mail server for a proxy that tampers with SMTP");
                    }

                    await HandshakeAsync(implicitTls: false, timeout.Token);
                    observer?.Invoke(new(SmtpStage.Tls, true, DescribeTls(TlsInfo!), reply.ToString()));
                    Stage = SmtpStage.Ehlo;
                    hello = await HelloAsync(timeout);
                    observer?.Invoke(new(SmtpStage.Ehlo, true, DescribeExtensions() + " (after STARTTLS)", hello.ToString()));
                }
                else if (_options.Tls == MailTls.Always)
                {
                    Stage = SmtpStage.Tls;
                    await QuitAsync(CancellationToken.None);
                    throw new SmtpException(
                        "the server does not offer STARTTLS and Mail__Tls=Always: nothing was sent",
                        _port == 465
                            ? "port 465 usually expects TLS from the first byte: set Mail__Protocol=Smtps"
                            : "enable STARTTLS on the mail server, use Mail__Protocol=Smtps if it offers SMTPS, or set Mail__Tls=IfAvailable to allow unencrypted mail");
                }
            }

            Stage = SmtpStage.Auth;
            await AuthenticateAsync(credentials, timeout);
            observer?.Invoke(new(SmtpStage.Auth, true, AuthMechanismUsed is null
                ? "anonymous (Mail__Username and Mail__Password are empty)"
                : $"authenticated with {AuthMechanismUsed}; offered: {string.Join(' ', AuthMechanismNames)}"));
        }
        catch (Exception e) when (Translate(e, timeout, "the session setup", cancellationToken) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>
    /// One mail transaction. <paramref name="message"/> is the raw message (CRLF or LF line ends, not
    /// dot-stuffed). With PIPELINING, MAIL, every RCPT and DATA leave in one write, and the content with its
    /// terminator in a second.
    /// </summary>
    public async Task<SendResult> SendAsync(
        Mailbox from, IReadOnlyList<Mailbox> recipients, ReadOnlyMemory<byte> message, Action<SmtpStageResult>? observer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(recipients);
        if (recipients.Count == 0)
        {
            throw new ArgumentException("A message needs at least one recipient.", nameof(recipients));
        }

        var parameters = MailParameters(from, recipients, message.Span);
        PayloadSent = false;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            var pipelining = Capabilities.HasFlag(SmtpCapabilities.Pipelining);
            var reset = _needsReset;
            _needsReset = true;
            _output.Clear();
            if (reset)
            {
                AppendCommand("RSET");
                if (!pipelining)
                {
                    await ExpectAsync("RSET", SmtpReplyCode.Ok, null, timeout);
                }
            }

            Stage = SmtpStage.MailFrom;
            AppendCommand("MAIL FROM:<" + from.Address + ">" + parameters);
            if (!pipelining)
            {
                await ExpectAsync("the sender " + from.Address + " (MAIL FROM)", SmtpReplyCode.Ok, from.Address, timeout);
            }
            else
            {
                foreach (var recipient in recipients)
                {
                    AppendCommand("RCPT TO:<" + recipient.Address + ">");
                }

                AppendCommand("DATA");
                await FlushAsync(timeout);
                if (reset)
                {
                    var resetReply = await ReadReplyAsync(timeout);
                    if (resetReply.Code != SmtpReplyCode.Ok)
                    {
                        // The replies to the rest of the group are still in flight: the session is out of step.
                        IsBroken = true;
                        throw Refused("RSET", resetReply, null, null);
                    }
                }
            }

            var mailReply = pipelining ? await ReadReplyAsync(timeout) : null;
            if (mailReply is not null && mailReply.Code != SmtpReplyCode.Ok)
            {
                if (mailReply.Code != SmtpReplyCode.ServiceNotAvailable)
                {
                    // Drain the RCPT and DATA replies so the session stays in step, then report the real cause.
                    await DrainAfterPipelinedFailureAsync(recipients.Count, timeout);
                }

                throw Refused("the sender " + from.Address + " (MAIL FROM)", mailReply, from.Address, "check Mail__From: the server must accept it as a sender for this account");
            }

            observer?.Invoke(new(SmtpStage.MailFrom, true, from.Address, mailReply?.ToString()));
            Stage = SmtpStage.RcptTo;
            var accepted = new List<Mailbox>(recipients.Count);
            var refused = new List<RecipientRefusal>();
            foreach (var recipient in recipients)
            {
                if (!pipelining)
                {
                    AppendCommand("RCPT TO:<" + recipient.Address + ">");
                    await FlushAsync(timeout);
                }

                var reply = await ReadReplyAsync(timeout);
                if (reply.Code == SmtpReplyCode.ServiceNotAvailable)
                {
                    throw Refused("RCPT TO", reply, recipient.Address, null);
                }

                if (reply.Code is SmtpReplyCode.Ok or SmtpReplyCode.UserNotLocalWillForward)
                {
                    accepted.Add(recipient);
                }
                else
                {
                    refused.Add(new RecipientRefusal(recipient, reply.Value, reply.EnhancedStatus, reply.ToString()));
                    SmtpLog.RecipientRefused(_logger, _host, recipient.Address, reply.ToString());
                }

                observer?.Invoke(new(SmtpStage.RcptTo, reply.IsPositive, recipient.Address, reply.ToString()));
            }

            Stage = SmtpStage.Data;
            if (!pipelining && accepted.Count > 0)
            {
                AppendCommand("DATA");
                await FlushAsync(timeout);
            }

            var dataReply = pipelining || accepted.Count > 0 ? await ReadReplyAsync(timeout) : null;
            if (accepted.Count == 0)
            {
                if (dataReply?.Code == SmtpReplyCode.StartMailInput)
                {
                    // RFC 2920 §3.1: a server that accepted DATA without recipients gets an empty message.
                    AppendCommand(".");
                    await FlushAsync(timeout);
                    await ReadReplyAsync(timeout);
                }

                Stage = SmtpStage.RcptTo;
                var first = refused[0];
                throw new SmtpCommandException(
                    "the server refused every recipient: " + string.Join("; ", refused.Select(r => $"{r.Recipient.Address} ({r.Reply})")),
                    (SmtpReplyCode)first.Code, first.EnhancedStatus, first.Reply, first.Recipient.Address,
                    "check the recipients' addresses; the server's replies say why");
            }

            if (dataReply!.Code != SmtpReplyCode.StartMailInput)
            {
                throw Refused("DATA", dataReply, null, null);
            }

            _output.Clear();
            SmtpDataEncoder.Encode(message.Span, _output);
            LogClient("(message content, " + message.Length.ToString(CultureInfo.InvariantCulture) + " bytes, and the terminating '.')");
            PayloadSent = true;
            await FlushAsync(timeout);
            var final = await ReadReplyAsync(timeout);
            _needsReset = false;
            if (final.Code != SmtpReplyCode.Ok)
            {
                throw Refused("the message after DATA", final, null, final.Value < 500
                    ? "the server failed temporarily; the notification was not sent (Notifier does not retry)"
                    : "the server's reply says why it rejected the message");
            }

            observer?.Invoke(new(SmtpStage.Data, true, $"{message.Length} bytes accepted", final.ToString()));
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                var reply = final.ToString();
                SmtpLog.MessageAccepted(_logger, _host, accepted.Count, refused.Count, reply);
            }
            return new SendResult(accepted, refused, final.ToString());
        }
        catch (Exception e) when (Translate(e, timeout, StageName(Stage), cancellationToken) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>Sends QUIT and closes, never throwing: the session is over either way. Returns the reply, if any.</summary>
    public async Task<string?> QuitAsync(CancellationToken cancellationToken)
    {
        if (_disposed)
        {
            return null;
        }

        string? reply = null;
        if (!IsBroken)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            try
            {
                _output.Clear();
                reply = (await CommandAsync("QUIT", timeout, Min(_options.CommandTimeout, TimeSpan.FromSeconds(5)))).ToString();
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or SmtpException or ObjectDisposedException or SocketException)
            {
                SmtpLog.QuitFailed(_logger, _host, e.Message);
            }
        }

        await DisposeAsync();
        return reply;
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        IsBroken = true;
        try
        {
            await _stream.DisposeAsync();
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or AuthenticationException)
        {
            // Closing a socket the peer already reset; nothing left to do.
        }

        _output.Dispose();
        var input = _input;
        _input = [];
        ArrayPool<byte>.Shared.Return(input);
    }

    private async Task<SmtpReply> ReadGreetingAsync(CancellationTokenSource timeout, CancellationToken cancellationToken)
    {
        // A server that expects TLS from the first byte waits silently for our ClientHello, so on the SMTPS
        // port we give up on a greeting early and say what to change.
        var plainOn465 = _options.Protocol == MailProtocol.Smtp && _port == 465;
        var wait = plainOn465 ? Min(_options.CommandTimeout, TimeSpan.FromSeconds(5)) : _options.CommandTimeout;
        timeout.CancelAfter(wait);
        try
        {
            await FillAsync(timeout.Token);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested && _options.Protocol == MailProtocol.Smtp)
        {
            IsBroken = true;
            throw new SmtpProtocolException(
                plainOn465
                    ? $"port 465 expects TLS from the first byte: set Mail__Protocol=Smtps ({_host} sent no SMTP greeting within {Seconds(wait)})"
                    : $"{_host}:{_port} sent no SMTP greeting within {Seconds(wait)}",
                plainOn465
                    ? "set Mail__Protocol=Smtps (or use port 25/587 with Mail__Protocol=Smtp)"
                    : "if this port expects TLS from the first byte (SMTPS), set Mail__Protocol=Smtps; otherwise check the server or raise Mail__CommandTimeout",
                e);
        }

        if (_options.Protocol == MailProtocol.Smtp && _input[_inputStart] is 0x15 or 0x16)
        {
            IsBroken = true;
            throw new SmtpProtocolException(
                $"{_host}:{_port} answered with TLS instead of an SMTP greeting: it expects TLS from the first byte",
                "set Mail__Protocol=Smtps");
        }

        var greeting = await ReadReplyAsync(timeout);
        if (greeting.Code != SmtpReplyCode.ServiceReady)
        {
            IsBroken = true;
            throw new SmtpCommandException(
                $"{_host} refused the session in its greeting: {greeting}", greeting.Code, greeting.EnhancedStatus, greeting.ToString(), null,
                greeting.Code == SmtpReplyCode.ServiceNotAvailable
                    ? "the server is not accepting mail right now (busy, or refusing this client); try again later or check its logs"
                    : "check that Mail__Host and Mail__Port point at a mail server that accepts this client");
        }

        return greeting;
    }

    private async Task<SmtpReply> HelloAsync(CancellationTokenSource timeout)
    {
        var domain = HeloDomain();
        var reply = await CommandAsync("EHLO " + domain, timeout);
        if (reply.Code == SmtpReplyCode.Ok)
        {
            ReadCapabilities(reply);
            return reply;
        }

        BreakOn421(reply);
        if (reply.Value is < 500 or >= 600)
        {
            throw Refused("EHLO", reply, null, null);
        }

        // RFC 5321 §3.2: a server that does not know EHLO still speaks HELO (no extensions then).
        var helo = await CommandAsync("HELO " + domain, timeout);
        Check("HELO", helo, SmtpReplyCode.Ok, null);
        Capabilities = SmtpCapabilities.None;
        AuthMechanisms = SmtpAuthMechanisms.None;
        AuthMechanismNames = [];
        MaxMessageSize = 0;
        _extensions = [];
        return helo;
    }

    private void ReadCapabilities(SmtpReply reply)
    {
        var capabilities = SmtpCapabilities.Extended;
        var mechanisms = SmtpAuthMechanisms.None;
        var names = new List<string>();
        long size = 0;
        // Some servers (Postfix's smtp-sink) end the list with a blank "250 " line; it names no extension.
        _extensions = [.. reply.Lines.Skip(1).Select(line => line.Trim()).Where(line => line.Length > 0)];
        foreach (var line in _extensions)
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0)
            {
                continue;
            }

            var keyword = parts[0].ToUpperInvariant();
            if (keyword.StartsWith("AUTH=", StringComparison.Ordinal))
            {
                // Pre-RFC 4954 servers advertise "AUTH=LOGIN PLAIN".
                parts = [.. line[5..].Split(' ', StringSplitOptions.RemoveEmptyEntries).Prepend("AUTH")];
                keyword = "AUTH";
            }

            switch (keyword)
            {
                case "PIPELINING": capabilities |= SmtpCapabilities.Pipelining; break;
                case "STARTTLS": capabilities |= SmtpCapabilities.StartTls; break;
                case "8BITMIME": capabilities |= SmtpCapabilities.EightBitMime; break;
                case "SMTPUTF8": capabilities |= SmtpCapabilities.SmtpUtf8; break;
                case "ENHANCEDSTATUSCODES": capabilities |= SmtpCapabilities.EnhancedStatusCodes; break;
                case "CHUNKING": capabilities |= SmtpCapabilities.Chunking; break;
                case "BINARYMIME": capabilities |= SmtpCapabilities.BinaryMime; break;
                case "DSN": capabilities |= SmtpCapabilities.Dsn; break;
                case "SIZE":
                    capabilities |= SmtpCapabilities.Size;
                    if (parts.Length > 1 && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var limit))
                    {
                        size = limit;
                    }

                    break;
                case "AUTH":
                    capabilities |= SmtpCapabilities.Authentication;
                    foreach (var name in parts.Skip(1))
                    {
                        var upper = name.ToUpperInvariant();
                        if (!names.Contains(upper))
                        {
                            names.Add(upper);
                        }

                        mechanisms |= upper switch
                        {
                            "PLAIN" => SmtpAuthMechanisms.Plain,
                            "LOGIN" => SmtpAuthMechanisms.Login,
                            "CRAM-MD5" => SmtpAuthMechanisms.CramMd5,
                            "XOAUTH2" => SmtpAuthMechanisms.XOAuth2,
                            "OAUTHBEARER" => SmtpAuthMechanisms.OAuthBearer,
                            _ => SmtpAuthMechanisms.Other,
                        };
                    }

                    break;
            }
        }

        Capabilities = capabilities;
        AuthMechanisms = mechanisms;
        AuthMechanismNames = names;
        MaxMessageSize = size;
    }

    private async Task AuthenticateAsync(SmtpCredentials? credentials, CancellationTokenSource timeout)
    {
        AuthMechanismUsed = null;
        if (credentials is null)
        {
            return;
        }

        if (!IsEncrypted && !_options.AllowPlaintextAuth)
        {
            await QuitAsync(CancellationToken.None);
            throw new SmtpException(
                $"refusing to send the SMTP password to {_host} over an unencrypted connection: nothing was sent",
                _options.Protocol == MailProtocol.Smtp && _options.Tls != MailTls.Always
                    ? "the server did not offer STARTTLS (or Mail__Tls=None): enable STARTTLS on the server and set Mail__Tls=Always, use Mail__Protocol=Smtps, or set Mail__AllowPlaintextAuth=true on a trusted network"
                    : "set Mail__AllowPlaintextAuth=true only on a trusted network");
        }

        if (!Capabilities.HasFlag(SmtpCapabilities.Authentication))
        {
            await QuitAsync(CancellationToken.None);
            throw new SmtpException(
                $"{_host} does not offer AUTH{(IsEncrypted ? "" : " on an unencrypted connection")}, but Mail__Username/Mail__Password are set: nothing was sent",
                "leave Mail__Username and Mail__Password empty to send anonymously, or enable authentication (often only after STARTTLS) on the server");
        }

        var mechanism = AuthMechanisms.HasFlag(SmtpAuthMechanisms.Plain) ? "PLAIN"
            : AuthMechanisms.HasFlag(SmtpAuthMechanisms.Login) ? "LOGIN"
            : null;
        if (mechanism is null)
        {
            await QuitAsync(CancellationToken.None);
            throw new SmtpException(
                $"{_host} offers AUTH {string.Join(' ', AuthMechanismNames)}, but Notifier speaks only PLAIN and LOGIN: nothing was sent",
                "enable AUTH PLAIN or LOGIN on the server (over TLS)");
        }

        SmtpReply reply;
        if (mechanism == "PLAIN")
        {
            var initial = Base64("\0" + credentials.Username + "\0" + credentials.Password);
            reply = await CommandAsync("AUTH PLAIN " + initial, timeout, redacted: "AUTH PLAIN (credentials redacted)");
            if (reply.Code == SmtpReplyCode.AuthenticationChallenge)
            {
                reply = await CommandAsync(initial, timeout, redacted: "(credentials redacted)");
            }
        }
        else
        {
            reply = await CommandAsync("AUTH LOGIN", timeout);
            if (reply.Code == SmtpReplyCode.AuthenticationChallenge)
            {
                reply = await CommandAsync(Base64(credentials.Username), timeout, redacted: "(username redacted)");
            }

            if (reply.Code == SmtpReplyCode.AuthenticationChallenge)
            {
                reply = await CommandAsync(Base64(credentials.Password), timeout, redacted: "(password redacted)");
            }
        }

        if (reply.Code == SmtpReplyCode.AuthenticationChallenge)
        {
            // A further challenge we cannot answer: cancel the exchange as RFC 4954 §4 says.
            reply = await CommandAsync("*", timeout);
        }

        if (reply.Code != SmtpReplyCode.AuthenticationSucceeded)
        {
            BreakOn421(reply);
            var status = reply.EnhancedStatus is null ? reply.Value.ToString(CultureInfo.InvariantCulture) : $"{reply.Value} {reply.EnhancedStatus}";
            throw new SmtpAuthenticationException(
                reply.Code == SmtpReplyCode.AuthenticationInvalidCredentials
                    ? $"authentication failed ({status}): check the username and password"
                    : $"authentication with {mechanism} failed: {reply}",
                reply.Code, reply.EnhancedStatus, reply.ToString(),
                "check Mail__Username and Mail__Password (or the Key Vault secrets they come from)");
        }

        AuthMechanismUsed = mechanism;
        SmtpLog.Authenticated(_logger, _host, mechanism);
    }

    private async Task HandshakeAsync(bool implicitTls, CancellationToken cancellationToken)
    {
        var validation = _validator.Begin(_host);
        var recorder = new FirstBytesStream(_stream);
        var ssl = new SslStream(recorder, leaveInnerStreamOpen: false);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = _host,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            // Revocation lists of private CAs are rarely reachable from a Functions host; Bitbucket's own
            // Java client does not check them either.
            CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = validation.Validate,
        };
        _stream = ssl;
        try
        {
            await ssl.AuthenticateAsClientAsync(options, cancellationToken);
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            IsBroken = true;
            if (validation.Failure is not null)
            {
                throw new SmtpProtocolException(validation.Failure, validation.FailureHint, e);
            }

            var first = recorder.FirstBytes;
            if (implicitTls && first.Length >= 3 && char.IsAsciiDigit((char)first[0]) && char.IsAsciiDigit((char)first[1]) && char.IsAsciiDigit((char)first[2]))
            {
                var text = Encoding.ASCII.GetString(first);
                var end = text.IndexOfAny(['\r', '\n']);
                throw new SmtpProtocolException(
                    $"{_host}:{_port} answered in plaintext (\"{(end < 0 ? text : text[..end])}\") instead of starting TLS: set Mail__Protocol=Smtp",
                    "this port speaks plain SMTP: set Mail__Protocol=Smtp with Mail__Tls=Always to encrypt with STARTTLS",
                    e);
            }

            throw new SmtpProtocolException(
                $"the TLS handshake with {_host}:{_port} failed: {e.Message}",
                "the server must offer TLS 1.2 or later with a certificate for " + _host, e);
        }

        var certificate = ssl.RemoteCertificate as System.Security.Cryptography.X509Certificates.X509Certificate2;
        TlsInfo = new SmtpTlsInfo(
            ssl.SslProtocol,
            ssl.NegotiatedCipherSuite,
            certificate?.Subject ?? "",
            certificate?.Issuer ?? "",
            certificate?.NotBefore.ToUniversalTime() ?? default,
            certificate?.NotAfter.ToUniversalTime() ?? default,
            certificate is null ? "" : TrustedCertificates.Fingerprint(certificate),
            certificate is null ? [] : CertificateValidator.CertificateNames(certificate));
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            var cipher = TlsInfo.CipherSuite.ToString();
            SmtpLog.TlsEstablished(_logger, _host, TlsInfo.ProtocolName, cipher, TlsInfo.Subject, TlsInfo.Sha256Fingerprint);
        }
    }

    private string MailParameters(Mailbox from, IReadOnlyList<Mailbox> recipients, ReadOnlySpan<byte> message)
    {
        if (MaxMessageSize > 0 && message.Length > MaxMessageSize)
        {
            throw new SmtpException(
                $"the message is {message.Length} bytes but {_host} accepts at most {MaxMessageSize} (SIZE): nothing was sent",
                "raise the server's message size limit or send a smaller message");
        }

        var needsUtf8 = !Ascii.IsValid(from.Address) || recipients.Any(r => !Ascii.IsValid(r.Address));
        if (needsUtf8 && !Capabilities.HasFlag(SmtpCapabilities.SmtpUtf8))
        {
            var address = !Ascii.IsValid(from.Address) ? from.Address : recipients.First(r => !Ascii.IsValid(r.Address)).Address;
            throw new SmtpException(
                $"the address {address} needs SMTPUTF8, which {_host} does not offer: nothing was sent",
                "use an ASCII address (or its punycode domain) or a server that supports SMTPUTF8");
        }

        var eightBit = !Ascii.IsValid(message);
        if (eightBit && !needsUtf8 && !Capabilities.HasFlag(SmtpCapabilities.EightBitMime))
        {
            throw new SmtpException(
                $"the message contains 8-bit data but {_host} does not offer 8BITMIME: nothing was sent",
                "this is a Notifier bug (the MIME writer produces 7-bit messages); please report it");
        }

        if (!eightBit && !needsUtf8 && !Capabilities.HasFlag(SmtpCapabilities.Size))
        {
            return "";
        }

        var builder = new StringBuilder();
        if (Capabilities.HasFlag(SmtpCapabilities.Size))
        {
            builder.Append(" SIZE=").Append(message.Length.ToString(CultureInfo.InvariantCulture));
        }

        if (eightBit && Capabilities.HasFlag(SmtpCapabilities.EightBitMime))
        {
            builder.Append(" BODY=8BITMIME");
        }

        if (needsUtf8)
        {
            builder.Append(" SMTPUTF8");
        }

        return builder.ToString();
    }

    private async Task DrainAfterPipelinedFailureAsync(int recipients, CancellationTokenSource timeout)
    {
        for (var i = 0; i < recipients; i++)
        {
            await ReadReplyAsync(timeout);
        }

        var data = await ReadReplyAsync(timeout);
        if (data.Code == SmtpReplyCode.StartMailInput)
        {
            AppendCommand(".");
            await FlushAsync(timeout);
            await ReadReplyAsync(timeout);
        }
    }

    private async Task<SmtpReply> CommandAsync(string command, CancellationTokenSource timeout, TimeSpan? wait = null, string? redacted = null)
    {
        _output.Clear();
        AppendCommand(command, redacted);
        await FlushAsync(timeout, wait);
        return await ReadReplyAsync(timeout, wait);
    }

    private async Task ExpectAsync(string what, SmtpReplyCode expected, string? mailbox, CancellationTokenSource timeout)
    {
        await FlushAsync(timeout);
        Check(what, await ReadReplyAsync(timeout), expected, mailbox);
    }

    private void Check(string what, SmtpReply reply, SmtpReplyCode expected, string? mailbox)
    {
        if (reply.Code != expected)
        {
            throw Refused(what, reply, mailbox, mailbox is null ? null : "check Mail__From: the server must accept it as a sender for this account");
        }
    }

    private SmtpCommandException Refused(string what, SmtpReply reply, string? mailbox, string? hint)
    {
        BreakOn421(reply);
        return reply.Code == SmtpReplyCode.ServiceNotAvailable
            ? new SmtpCommandException(
                $"{_host} closed the session ({reply}) while waiting for the reply to {what}",
                reply.Code, reply.EnhancedStatus, reply.ToString(), mailbox,
                "the server is shutting down or limiting this client; try again later or check the server's logs")
            : new SmtpCommandException($"{_host} refused {what}: {reply}", reply.Code, reply.EnhancedStatus, reply.ToString(), mailbox, hint);
    }

    private void BreakOn421(SmtpReply reply)
    {
        if (reply.Code == SmtpReplyCode.ServiceNotAvailable)
        {
            // RFC 5321 §3.8: 421 means the server is closing the channel.
            IsBroken = true;
        }
    }

    private void AppendCommand(string command, string? redacted = null)
    {
        LogClient(redacted ?? command);
        var span = _output.GetSpan(Encoding.UTF8.GetMaxByteCount(command.Length) + 2);
        var n = Encoding.UTF8.GetBytes(command, span);
        span[n] = (byte)'\r';
        span[n + 1] = (byte)'\n';
        _output.Advance(n + 2);
    }

    private async Task FlushAsync(CancellationTokenSource timeout, TimeSpan? wait = null)
    {
        timeout.CancelAfter(wait ?? _options.CommandTimeout);
        await _stream.WriteAsync(_output.WrittenMemory, timeout.Token);
        await _stream.FlushAsync(timeout.Token);
        _output.Clear();
    }

    private async Task FillAsync(CancellationToken cancellationToken)
    {
        if (_inputStart > 0)
        {
            _input.AsSpan(_inputStart, _inputEnd - _inputStart).CopyTo(_input);
            _inputEnd -= _inputStart;
            _inputStart = 0;
        }

        var read = await _stream.ReadAsync(_input.AsMemory(_inputEnd), cancellationToken);
        if (read == 0)
        {
            IsBroken = true;
            throw new SmtpProtocolException(
                $"{_host} closed the connection unexpectedly{(Stage == SmtpStage.Connect ? " before its greeting" : $" during {StageName(Stage)}")}",
                Stage == SmtpStage.Connect
                    ? "the server refused this client without a reply; check its access rules (and Mail__Protocol: Smtps against a plain port closes like this)"
                    : "check the mail server's logs for why it dropped the session");
        }

        _inputEnd += read;
    }

    private async Task<SmtpReply> ReadReplyAsync(CancellationTokenSource timeout, TimeSpan? wait = null)
    {
        // The timer is armed when the command group is written (FlushAsync), so it bounds the whole round
        // trip; re-arming it for every reply of a pipelined group would only cost time.
        if (wait is { } explicitWait)
        {
            timeout.CancelAfter(explicitWait);
        }

        var code = -1;
        List<string>? lines = null;
        while (true)
        {
            var lineFeed = _input.AsSpan(_inputStart, _inputEnd - _inputStart).IndexOf((byte)'\n');
            if (lineFeed < 0)
            {
                if (_inputEnd - _inputStart >= MaxLineLength)
                {
                    throw Malformed("a reply line longer than " + MaxLineLength + " bytes");
                }

                await FillAsync(timeout.Token);
                continue;
            }

            var line = _input.AsSpan(_inputStart, lineFeed);
            _inputStart += lineFeed + 1;
            if (!line.IsEmpty && line[^1] == (byte)'\r')
            {
                line = line[..^1];
            }

            var (lineCode, last, text) = ParseLine(line);
            if (code < 0)
            {
                code = lineCode;
            }
            else if (lineCode != code)
            {
                throw Malformed($"a multi-line reply whose lines carry different codes ({code} then {lineCode})");
            }

            lines ??= [];
            lines.Add(text);
            if (lines.Count > MaxReplyLines)
            {
                throw Malformed("a reply of more than " + MaxReplyLines + " lines");
            }

            if (last)
            {
                var reply = new SmtpReply(code, lines);
                if (_logger.IsEnabled(LogLevel.Trace))
                {
                    foreach (var l in lines)
                    {
                        SmtpLog.ServerLine(_logger, Stage == SmtpStage.Auth && reply.Code == SmtpReplyCode.AuthenticationChallenge ? $"{code} (challenge)" : $"{code} {l}");
                    }
                }

                return reply;
            }
        }
    }

    private (int Code, bool Last, string Text) ParseLine(ReadOnlySpan<byte> line)
    {
        if (line.Length < 3 || !IsDigit(line[0], '2', '5') || !IsDigit(line[1], '0', '5') || !IsDigit(line[2], '0', '9')
            || (line.Length > 3 && line[3] is not ((byte)' ' or (byte)'-')))
        {
            throw Malformed($"a line that is not an SMTP reply (\"{Printable(line)}\")");
        }

        var code = ((line[0] - '0') * 100) + ((line[1] - '0') * 10) + (line[2] - '0');
        var last = line.Length == 3 || line[3] == (byte)' ';
        var text = line.Length > 4 ? Encoding.UTF8.GetString(line[4..]) : "";
        return (code, last, text);

        static bool IsDigit(byte b, char low, char high) => b >= low && b <= high;
    }

    private SmtpProtocolException Malformed(string what)
    {
        IsBroken = true;
        return new SmtpProtocolException(
            $"{_host} sent {what} during {StageName(Stage)}; the connection was dropped",
            "check that Mail__Host and Mail__Port point at an SMTP server (and Mail__Protocol matches the port)");
    }

    /// <summary>Maps low-level failures to the two SMTP failure kinds; returns null to let others pass.</summary>
    private SmtpProtocolException? Translate(Exception e, CancellationTokenSource timeout, string during, CancellationToken caller)
    {
        if (e is SmtpProtocolException || (e is OperationCanceledException && caller.IsCancellationRequested))
        {
            // A cancelled exchange may have left half a command on the wire: the session is unusable.
            IsBroken = true;
            return null;
        }

        switch (e)
        {
            case SmtpException:
                return null;
            case OperationCanceledException when timeout.IsCancellationRequested:
                IsBroken = true;
                return new SmtpProtocolException(
                    $"{_host} did not answer within {Seconds(_options.CommandTimeout)} during {during}",
                    "check the mail server (it may be overloaded or a firewall may drop packets), or raise Mail__CommandTimeout", e);
            case IOException or SocketException or ObjectDisposedException:
                IsBroken = true;
                return new SmtpProtocolException(
                    $"the connection to {_host}:{_port} was lost during {during}: {e.Message}",
                    "check the mail server's logs for why it dropped the session", e);
            default:
                return null;
        }
    }

    private void LogClient(string line)
    {
        if (_logger.IsEnabled(LogLevel.Trace))
        {
            SmtpLog.ClientLine(_logger, line);
        }
    }

    private string DescribeExtensions() =>
        Capabilities.HasFlag(SmtpCapabilities.Extended)
            ? (_extensions.Count == 0 ? "EHLO accepted, no extensions" : "extensions: " + string.Join(", ", _extensions))
            : "the server refused EHLO; HELO accepted (no extensions)";

    private static string DescribeTls(SmtpTlsInfo tls) =>
        $"{tls.ProtocolName}, {tls.CipherSuite}; certificate {tls.Subject}, issued by {tls.Issuer}, valid until {tls.NotAfter:yyyy-MM-dd}, SHA-256 {tls.Sha256Fingerprint}";

    private static string StageName(SmtpStage stage) => stage switch
    {
        SmtpStage.Connect => "the greeting",
        SmtpStage.Tls => "TLS negotiation",
        SmtpStage.Ehlo => "EHLO",
        SmtpStage.Auth => "authentication",
        SmtpStage.MailFrom => "MAIL FROM",
        SmtpStage.RcptTo => "RCPT TO",
        SmtpStage.Data => "DATA",
        _ => "QUIT",
    };

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private static string Printable(ReadOnlySpan<byte> bytes)
    {
        var text = Encoding.ASCII.GetString(bytes[..Math.Min(bytes.Length, 60)]);
        return string.Concat(text.Select(c => c is < ' ' or > '~' ? '?' : c));
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static string Seconds(TimeSpan t) => t.TotalSeconds >= 1
        ? t.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + " s"
        : t.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms";

    /// <summary>
    /// The EHLO argument (RFC 5321 §4.1.4): this machine's name when it is a fully qualified domain, else the
    /// address literal of our end of the connection, since many servers refuse a bare container name.
    /// </summary>
    private string HeloDomain()
    {
        var name = MachineName.Value;
        if (name.Contains('.', StringComparison.Ordinal))
        {
            return name;
        }

        return _localEndPoint is System.Net.IPEndPoint endpoint ? AddressLiteral(endpoint.Address) : name.Length > 0 ? name : "[127.0.0.1]";
    }

    internal static string AddressLiteral(System.Net.IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[IPv6:{address}]" : $"[{address}]";
    }

    private static readonly Lazy<string> MachineName = new(() =>
    {
        var name = System.Net.Dns.GetHostName();
        return name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.') ? name : "";
    });
}

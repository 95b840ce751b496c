using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using MimeKit;
using Notifier.Smtp.Diagnostics;
using Notifier.Smtp.Logging;
using Notifier.Smtp.Messages;
using Notifier.Smtp.Options;
using Notifier.Smtp.Tls;

namespace Notifier.Smtp.Client;

/// <summary>
/// One SMTP session: MailKit's <see cref="MailKit.Net.Smtp.SmtpClient"/> on a socket we connected, with what
/// MailKit leaves to us: the TLS policy of <c>Mail__Tls</c> (no STARTTLS, no mail), certificate validation
/// with admin-facing reasons, the choice of SASL mechanism and the refusal to send secrets in plaintext,
/// command timeouts, and every failure turned into an <see cref="SmtpException"/> that says what to change.
/// Not thread-safe: the pool hands a session to one sender at a time. Once <see cref="IsBroken"/>, it is
/// discarded.
/// </summary>
internal sealed class SmtpSession : IAsyncDisposable
{
    private static readonly FormatOptions SendFormat = FormatOptions.Default.Clone();

    private readonly MailOptions _options;
    private readonly ILogger _logger;
    private readonly string _host;
    private readonly int _port;
    private readonly SessionLog _log;
    private readonly TrackingSmtpClient _client;
    private readonly CertificateValidator.Session _validation;
    private X509Certificate2? _certificate;
    private NetworkStream? _network;
    private CancellationTokenSource? _timer;
    private TimeSpan _wait;
    private bool _disposed;
    private bool _broken;
    private bool _established;

    public SmtpSession(MailOptions options, CertificateValidator validator, ILogger logger)
    {
        _options = options;
        _logger = logger;
        _host = options.Host ?? "";
        _port = options.EffectivePort;
        _wait = options.CommandTimeout;
        _log = new SessionLog(logger) { Activity = Rearm };
        _validation = validator.Begin(_host, _port, options.Protocol == MailProtocol.Smtps);
        _client = new TrackingSmtpClient(_log, validator.Trusted)
        {
            SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            // Revocation lists of private CAs are rarely reachable from a Functions host; Bitbucket's own
            // Java client does not check them either.
            CheckCertificateRevocation = false,
            ServerCertificateValidationCallback = Validate,
            // Bounds MailKit's synchronous paths; asynchronous round trips are bounded by our own timer.
            Timeout = (int)Math.Clamp(options.CommandTimeout.TotalMilliseconds, 1, int.MaxValue),
        };
    }

    /// <summary>The stage in progress or last finished; the probe reports failures against it.</summary>
    public SmtpStage Stage => _log.Stage;

    /// <summary>True once the conversation cannot continue; the pool discards such sessions.</summary>
    public bool IsBroken
    {
        get => _broken || (_established && !_client.IsConnected);
        private set => _broken = value;
    }

    /// <summary>True once the content of the current transaction started to leave (resending could duplicate it).</summary>
    public bool PayloadSent => _log.ContentStarted;

    public string? Greeting => _log.Greeting?.ToString();

    public SmtpTlsInfo? TlsInfo { get; private set; }

    /// <summary>The EHLO extension lines as the server sent them (after STARTTLS, the second list).</summary>
    public IReadOnlyList<string> Extensions { get; private set; } = [];

    public IReadOnlyList<string> AuthMechanismNames { get; private set; } = [];

    public string? AuthMechanismUsed { get; private set; }

    /// <summary>True when <c>Mail__Tls=IfAvailable</c> met a server without STARTTLS: mail goes unencrypted.</summary>
    public bool UnencryptedFallback { get; private set; }

    /// <summary>
    /// TCP connect, (SMTPS handshake), greeting, EHLO, STARTTLS per <c>Mail__Tls</c>, EHLO again, and AUTH.
    /// Nothing of a message is sent here, so any failure means nothing was sent.
    /// </summary>
    public async Task EstablishAsync(SmtpCredentials? credentials, Action<SmtpStageResult>? observer, CancellationToken cancellationToken)
    {
        var exchanges = observer is null ? null : new List<(string Command, SmtpReply Reply)>();
        _log.Replied = exchanges is null ? null : (command, reply) => exchanges.Add((command, reply));
        try
        {
            _log.Stage = SmtpStage.Connect;
            var socket = await SocketConnector.ConnectAsync(_options, cancellationToken);
            _client.LocalDomain = HeloDomain(socket.LocalEndPoint);
            var smtps = _options.Protocol == MailProtocol.Smtps;
            if (smtps)
            {
                observer?.Invoke(new(SmtpStage.Connect, true, $"TCP connection to {_host}:{_port} open; TLS from the first byte (SMTPS)"));
                _log.Stage = SmtpStage.Tls;
            }

            // A server that expects TLS from the first byte waits silently for our ClientHello, so on the SMTPS
            // port we give up on a greeting early and say what to change. The first command re-arms the timer.
            var plainOn465 = !smtps && _port == 465;
            using (var timer = Arm(plainOn465 ? Min(_options.CommandTimeout, TimeSpan.FromSeconds(5)) : _options.CommandTimeout, cancellationToken))
            {
                try
                {
                    // Handed over as .NET's own NetworkStream, not as the socket: MailKit wraps a socket in a stream
                    // of its own that makes a timer, two cancellation sources and a task for every read and write
                    // (7 % of the app's allocations). Our timer bounds every round trip already (Arm, Rearm).
                    _network = new NetworkStream(socket, ownsSocket: true);
                    await _client.ConnectAsync(_network, _host, _port, SecureOptions(), timer.Token);
                }
                finally
                {
                    _wait = _options.CommandTimeout;
                }

                if (_log.DataAfterStartTls)
                {
                    // Bytes after the 220 arrived before the handshake: a man in the middle could have injected
                    // commands there (CVE-2011-0411 class). MailKit discards them; we do not trust the session.
                    throw Broken(new SmtpProtocolException(
                        $"{_host} sent data after agreeing to STARTTLS; the session was dropped because that data could be injected",
                        "check the network path to the mail server for a proxy that tampers with SMTP"));
                }

                ReadSessionFacts();
                if (exchanges is not null && observer is not null)
                {
                    ReportSetup(exchanges, observer);
                }

                if (!_client.IsSecure && _options.Protocol == MailProtocol.Smtp && _options.Tls == MailTls.Always)
                {
                    await QuitAtAsync(SmtpStage.Tls);
                    throw new SmtpException(
                        "the server does not offer STARTTLS and Mail__Tls=Always: nothing was sent",
                        _port == 465
                            ? "port 465 usually expects TLS from the first byte: set Mail__Protocol=Smtps"
                            : "enable STARTTLS on the mail server, use Mail__Protocol=Smtps if it offers SMTPS, or set Mail__Tls=IfAvailable to allow unencrypted mail");
                }

                UnencryptedFallback = !_client.IsSecure && _options.Protocol == MailProtocol.Smtp && _options.Tls == MailTls.IfAvailable;
                if (UnencryptedFallback)
                {
                    SmtpLog.Unencrypted(_logger, _host, _port);
                }

                _established = true;
                _log.Stage = SmtpStage.Auth;
                await AuthenticateAsync(credentials, timer.Token);
            }

            observer?.Invoke(new(SmtpStage.Auth, true, AuthMechanismUsed is null
                ? "anonymous (no credentials are configured)"
                : $"authenticated with {AuthMechanismUsed}; offered: {string.Join(' ', AuthMechanismNames)}"));
        }
        catch (Exception e) when (Translate(e, "the session setup", cancellationToken) is { } translated)
        {
            throw translated;
        }
        finally
        {
            _log.Replied = null;
        }
    }

    /// <summary>
    /// One mail transaction with MailKit: MAIL FROM, every RCPT TO (pipelined when offered), DATA and the
    /// message, written straight to the connection. Refused recipients are listed in the result; when every
    /// recipient is refused nothing is sent.
    /// </summary>
    public async Task<SendResult> SendAsync(
        MimeMessage message, Mailbox from, IReadOnlyList<Mailbox> recipients, Action<SmtpStageResult>? observer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(recipients);
        if (recipients.Count == 0)
        {
            throw new ArgumentException("A message needs at least one recipient.", nameof(recipients));
        }

        CheckInternationalAddresses(from, recipients);
        var envelope = new MailboxAddress[recipients.Count];
        for (var i = 0; i < envelope.Length; i++)
        {
            envelope[i] = new MailboxAddress("", recipients[i].Address);
        }

        _client.Refused.Clear();
        _log.BeginTransaction();
        if (observer is not null)
        {
            _log.Replied = (command, reply) => ReportTransaction(command, reply, from, observer);
        }

        try
        {
            using var timer = Arm(_options.CommandTimeout, cancellationToken);
            await _client.SendAsync(SendFormat, message, new MailboxAddress("", from.Address), envelope, timer.Token);
        }
        catch (MailKit.Net.Smtp.SmtpCommandException e) when (e.ErrorCode == SmtpErrorCode.MessageNotAccepted && _client.Refused.Count == recipients.Count)
        {
            _log.Stage = SmtpStage.RcptTo;
            var refusals = Refusals(recipients);
            var first = refusals[0];
            throw new SmtpCommandException(
                "the server refused every recipient: " + string.Join("; ", refusals.Select(r => $"{r.Recipient.Address} ({r.Reply})")),
                (SmtpReplyCode)first.Code, first.EnhancedStatus, first.Reply, first.Recipient.Address,
                "check the recipients' addresses; the server's replies say why");
        }
        catch (Exception e) when (Translate(e, null, cancellationToken) is { } translated)
        {
            throw translated;
        }
        finally
        {
            _log.Replied = null;
        }

        var refused = Refusals(recipients);
        var accepted = refused.Count == 0 ? recipients : recipients.Where(r => !refused.Any(x => ReferenceEquals(x.Recipient, r))).ToList();
        var final = _log.LastReply?.ToString() ?? "";
        SmtpLog.MessageAccepted(_logger, _host, accepted.Count, refused.Count, final);
        return new SendResult(accepted, refused, final);
    }

    /// <summary>Sends QUIT and closes, never throwing: the session is over either way. Returns the reply, if any.</summary>
    public async Task<string?> QuitAsync(CancellationToken cancellationToken)
    {
        if (_disposed)
        {
            return null;
        }

        string? reply = null;
        if (!IsBroken && _client.IsConnected)
        {
            try
            {
                using var timer = Arm(Min(_options.CommandTimeout, TimeSpan.FromSeconds(5)), cancellationToken);
                await _client.DisconnectAsync(quit: true, timer.Token);
                reply = _log.LastReply?.ToString();
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or MailKit.Net.Smtp.SmtpProtocolException or MailKit.Net.Smtp.SmtpCommandException or ObjectDisposedException or SocketException)
            {
                SmtpLog.QuitFailed(_logger, _host, e.Message);
            }
        }

        await DisposeAsync();
        return reply;
    }

    /// <summary>Ends a session the settings forbid going on with; the failure still belongs to <paramref name="stage"/>.</summary>
    private async Task QuitAtAsync(SmtpStage stage)
    {
        await QuitAsync(CancellationToken.None);
        _log.Stage = stage;
    }

    public ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            IsBroken = true;
            _client.Dispose();
            _network?.Dispose();
            _certificate?.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    private SecureSocketOptions SecureOptions() => _options.Protocol switch
    {
        MailProtocol.Smtps => SecureSocketOptions.SslOnConnect,
        _ when _options.Tls == MailTls.None => SecureSocketOptions.None,
        // Always is enforced by us after EHLO (QUIT, then a message that says what to change).
        _ => SecureSocketOptions.StartTlsWhenAvailable,
    };

    private bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, System.Net.Security.SslPolicyErrors errors)
    {
        if (certificate is not null)
        {
            _certificate?.Dispose();
            _certificate = new X509Certificate2(certificate);
        }

        return _validation.Validate(sender, certificate, chain, errors);
    }

    private CancellationTokenSource Arm(TimeSpan first, CancellationToken cancellationToken)
    {
        var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(first);
        _timer = timer;
        return timer;
    }

    /// <summary>Each write to the server starts a new round trip with the whole command timeout.</summary>
    private void Rearm()
    {
        try
        {
            _timer?.CancelAfter(_wait);
        }
        catch (ObjectDisposedException)
        {
            // The operation that armed it has finished.
        }
    }

    private void ReadSessionFacts()
    {
        if (_client.IsSecure && _certificate is { } certificate)
        {
            TlsInfo = new SmtpTlsInfo(
                _client.SslProtocol,
                _client.SslCipherSuite ?? default,
                certificate.Subject,
                certificate.Issuer,
                certificate.NotBefore.ToUniversalTime(),
                certificate.NotAfter.ToUniversalTime(),
                TrustedCertificates.Fingerprint(certificate),
                CertificateValidator.CertificateNames(certificate));
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                var cipher = TlsInfo.CipherSuite.ToString();
                SmtpLog.TlsEstablished(_logger, _host, TlsInfo.ProtocolName, cipher, TlsInfo.Subject, TlsInfo.Sha256Fingerprint);
            }
        }

        // Some servers (Postfix's smtp-sink) end the list with a blank "250 " line; it names no extension.
        Extensions = _log.Hello is { } hello ? [.. hello.Lines.Skip(1).Select(line => line.Trim()).Where(line => line.Length > 0)] : [];
        var mechanisms = new List<string>();
        foreach (var line in Extensions)
        {
            // Pre-RFC 4954 servers advertise "AUTH=LOGIN PLAIN".
            var parts = line.Split([' ', '='], StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length > 1 && parts[0].Equals("AUTH", StringComparison.OrdinalIgnoreCase))
            {
                mechanisms.AddRange(parts.Skip(1).Select(name => name.ToUpperInvariant()).Where(name => !mechanisms.Contains(name)));
            }
        }

        AuthMechanismNames = mechanisms;
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            var protocol = _options.Protocol.ToString();
            SmtpLog.Connected(_logger, _host, _port, protocol, Greeting ?? "");
        }
    }

    private void ReportSetup(List<(string Command, SmtpReply Reply)> exchanges, Action<SmtpStageResult> observer)
    {
        var afterTls = false;
        foreach (var (command, reply) in exchanges)
        {
            if (command.Length == 0)
            {
                observer(_options.Protocol == MailProtocol.Smtps
                    ? new(SmtpStage.Tls, true, DescribeTls(), reply.ToString())
                    : new(SmtpStage.Connect, true, $"connected to {_host}:{_port}", reply.ToString()));
                afterTls = _options.Protocol == MailProtocol.Smtps;
            }
            else if (command.StartsWith("STARTTLS", StringComparison.OrdinalIgnoreCase))
            {
                observer(new(SmtpStage.Tls, true, DescribeTls(), reply.ToString()));
                afterTls = true;
            }
            else if (command.StartsWith("HELO", StringComparison.OrdinalIgnoreCase))
            {
                observer(new(SmtpStage.Ehlo, true, "the server refused EHLO; HELO accepted (no extensions)", reply.ToString()));
            }
            else if (command.StartsWith("EHLO", StringComparison.OrdinalIgnoreCase) && reply.Code == SmtpReplyCode.Ok)
            {
                var extensions = reply.Lines.Skip(1).Select(line => line.Trim()).Where(line => line.Length > 0).ToList();
                var summary = extensions.Count == 0 ? "EHLO accepted, no extensions" : "extensions: " + string.Join(", ", extensions);
                observer(new(SmtpStage.Ehlo, true, afterTls && _options.Protocol == MailProtocol.Smtp ? summary + " (after STARTTLS)" : summary, reply.ToString()));
            }
        }
    }

    private void ReportTransaction(string command, SmtpReply reply, Mailbox from, Action<SmtpStageResult> observer)
    {
        if (command.StartsWith("MAIL", StringComparison.OrdinalIgnoreCase))
        {
            observer(new(SmtpStage.MailFrom, reply.IsPositive, from.Address, reply.ToString()));
        }
        else if (command.StartsWith("RCPT", StringComparison.OrdinalIgnoreCase))
        {
            var open = command.IndexOf('<', StringComparison.Ordinal);
            var close = command.IndexOf('>', StringComparison.Ordinal);
            var address = open >= 0 && close > open ? command[(open + 1)..close] : command;
            observer(new(SmtpStage.RcptTo, reply.IsPositive, address, reply.ToString()));
        }
        else if (command == "." && reply.Code == SmtpReplyCode.Ok)
        {
            var size = _client.LastSize >= 0 ? $"{_client.LastSize} bytes accepted" : "message accepted";
            observer(new(SmtpStage.Data, true, size, reply.ToString()));
        }
    }

    private async Task AuthenticateAsync(SmtpCredentials? credentials, CancellationToken cancellationToken)
    {
        AuthMechanismUsed = null;
        if (credentials is null)
        {
            return;
        }

        var oauth = credentials.Kind == SmtpCredentialKind.OAuth2AccessToken;
        if (!_client.IsSecure && !_options.AllowPlaintextAuth)
        {
            await QuitAtAsync(SmtpStage.Auth);
            throw new SmtpException(
                $"refusing to send {(oauth ? "the OAuth2 access token" : "the SMTP password")} to {_host} over an unencrypted connection: nothing was sent",
                _options.Protocol == MailProtocol.Smtp && _options.Tls != MailTls.Always
                    ? "the server did not offer STARTTLS (or Mail__Tls=None): enable STARTTLS on the server and set Mail__Tls=Always, use Mail__Protocol=Smtps, or set Mail__AllowPlaintextAuth=true on a trusted network"
                    : "set Mail__AllowPlaintextAuth=true only on a trusted network");
        }

        if ((_client.Capabilities & SmtpCapabilities.Authentication) == 0)
        {
            await QuitAtAsync(SmtpStage.Auth);
            throw new SmtpException(
                $"{_host} does not offer AUTH{(_client.IsSecure ? "" : " on an unencrypted connection")}, but credentials are configured: nothing was sent",
                oauth
                    ? "use the server's OAuth2 submission endpoint (Microsoft 365: smtp.office365.com, port 587, Mail__Tls=Always)"
                    : "leave Mail__Username and Mail__Password empty to send anonymously, or enable authentication (often only after STARTTLS) on the server");
        }

        SaslMechanism mechanism;
        if (oauth)
        {
            if (!_client.AuthenticationMechanisms.Contains("XOAUTH2"))
            {
                await QuitAtAsync(SmtpStage.Auth);
                throw new SmtpException(
                    $"{_host} does not offer AUTH XOAUTH2 (it offers {string.Join(' ', AuthMechanismNames)}), which Mail__Authentication=OAuth2 needs: nothing was sent",
                    "use a server that accepts OAuth2 tokens for SMTP (Microsoft 365: smtp.office365.com, port 587, Mail__Tls=Always), or set Mail__Authentication=Password with Mail__Username and Mail__Password");
            }

            mechanism = new SaslMechanismOAuth2(credentials.Username, credentials.Password);
        }
        else if (_client.AuthenticationMechanisms.Contains("PLAIN"))
        {
            mechanism = new SaslMechanismPlain(new NetworkCredential(credentials.Username, credentials.Password));
        }
        else if (_client.AuthenticationMechanisms.Contains("LOGIN"))
        {
            mechanism = new SaslMechanismLogin(new NetworkCredential(credentials.Username, credentials.Password));
        }
        else
        {
            await QuitAtAsync(SmtpStage.Auth);
            throw new SmtpException(
                $"{_host} offers AUTH {string.Join(' ', AuthMechanismNames)}, but Notifier sends passwords only with PLAIN and LOGIN: nothing was sent",
                "enable AUTH PLAIN or LOGIN on the server (over TLS)");
        }

        try
        {
            await _client.AuthenticateAsync(mechanism, cancellationToken);
        }
        catch (MailKit.Security.AuthenticationException)
        {
            throw AuthenticationFailure(credentials, mechanism.MechanismName);
        }

        AuthMechanismUsed = mechanism.MechanismName;
        SmtpLog.Authenticated(_logger, _host, AuthMechanismUsed);
    }

    private SmtpAuthenticationException AuthenticationFailure(SmtpCredentials credentials, string mechanism)
    {
        var reply = _log.LastReply ?? new SmtpReply(0, []);
        if (reply.Code == SmtpReplyCode.ServiceNotAvailable)
        {
            IsBroken = true;
        }

        var status = reply.EnhancedStatus is null ? reply.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{reply.Value} {reply.EnhancedStatus}";
        var said = $"the server said: {reply}";
        if (credentials.Kind == SmtpCredentialKind.OAuth2AccessToken)
        {
            var report = ChallengeReport(_log.LastChallenge);
            return new SmtpAuthenticationException(
                $"{_host} refused the OAuth2 token for the mailbox {credentials.Username} ({said}{(report is null ? "" : $"; its error report: {report}")}): grant the app's identity the SMTP.SendAsApp permission and access to the mailbox {credentials.Username}",
                reply.Code, reply.EnhancedStatus, reply.ToString(),
                $"in Exchange Online register the service principal of the app's identity, grant it SMTP.SendAsApp (application permission, admin consent) and FullAccess or SendAs on {credentials.Username}; check that Mail__Username names that mailbox");
        }

        if (reply.Code == SmtpReplyCode.AuthenticationInvalidCredentials && IsBasicAuthDisabled(reply))
        {
            return new SmtpAuthenticationException(
                $"authentication failed ({status}): the tenant has Basic authentication (username and password) for SMTP turned off; use Mail__Authentication=OAuth2 ({said})",
                reply.Code, reply.EnhancedStatus, reply.ToString(),
                "set Mail__Authentication=OAuth2 with Mail__Username as the mailbox, and grant the app's identity SMTP.SendAsApp and access to that mailbox");
        }

        return new SmtpAuthenticationException(
            reply.Code == SmtpReplyCode.AuthenticationInvalidCredentials
                ? $"authentication failed ({status}): check the username and password ({said})"
                : $"authentication with {mechanism} failed: {reply}",
            reply.Code, reply.EnhancedStatus, reply.ToString(),
            "check Mail__Username and Mail__Password (or the Key Vault secrets they come from)");
    }

    private static bool IsBasicAuthDisabled(SmtpReply reply) =>
        reply.EnhancedStatus == "5.7.139" || reply.ToString().Contains("basic authentication is disabled", StringComparison.OrdinalIgnoreCase);

    /// <summary>XOAUTH2 servers report a refused token as a base64 JSON challenge; shown decoded when it is printable.</summary>
    private static string? ChallengeReport(string? challenge)
    {
        if (string.IsNullOrWhiteSpace(challenge))
        {
            return null;
        }

        var bytes = new byte[challenge.Length];
        if (!Convert.TryFromBase64String(challenge.Trim(), bytes, out var length))
        {
            return null;
        }

        var text = Encoding.UTF8.GetString(bytes, 0, length);
        return text.Length > 0 && text.All(c => c is >= ' ' and <= '~') ? text : null;
    }

    private void CheckInternationalAddresses(Mailbox from, IReadOnlyList<Mailbox> recipients)
    {
        var address = !LocalPartIsAscii(from.Address) ? from.Address : recipients.FirstOrDefault(r => !LocalPartIsAscii(r.Address))?.Address;
        if (address is not null && (_client.Capabilities & SmtpCapabilities.UTF8) == 0)
        {
            throw new SmtpException(
                $"the address {address} needs SMTPUTF8, which {_host} does not offer: nothing was sent",
                "use an ASCII address (or its punycode domain) or a server that supports SMTPUTF8");
        }

        // A non-ASCII domain alone is sent in its punycode form by MailKit.
        static bool LocalPartIsAscii(string address) => Ascii.IsValid(address.AsSpan(0, address.LastIndexOf('@')));
    }

    private List<RecipientRefusal> Refusals(IReadOnlyList<Mailbox> recipients)
    {
        var refusals = new List<RecipientRefusal>(_client.Refused.Count);
        foreach (var (mailbox, response) in _client.Refused)
        {
            var recipient = recipients.FirstOrDefault(r => r.Address == mailbox.Address) ?? new Mailbox(mailbox.Address);
            var reply = new SmtpReply((int)response.StatusCode, response.Response.Split('\n'));
            refusals.Add(new RecipientRefusal(recipient, reply.Value, reply.EnhancedStatus, reply.ToString()));
            SmtpLog.RecipientRefused(_logger, _host, recipient.Address, reply.ToString());
        }

        return refusals;
    }

    /// <summary>Maps MailKit's and the network's failures to the two SMTP failure kinds; null lets others pass.</summary>
    private SmtpException? Translate(Exception e, string? during, CancellationToken caller)
    {
        var stage = _log.Stage;
        during ??= StageName(stage);
        switch (e)
        {
            case SmtpCommandException command when command.Code != SmtpReplyCode.ServiceNotAvailable:
                return null;
            case SmtpProtocolException:
                IsBroken = true;
                return null;
            case SmtpException:
                return null;
            case OperationCanceledException when caller.IsCancellationRequested:
                // A cancelled exchange may have left half a command on the wire: the session is unusable.
                IsBroken = true;
                return null;
            case MessageTooLargeException large:
                return new SmtpException(
                    $"the message is {large.Size} bytes but {_host} accepts at most {large.Limit} (SIZE): nothing was sent",
                    "raise the server's message size limit or send a smaller message");
            case SslHandshakeException or System.Security.Authentication.AuthenticationException:
                return Broken(HandshakeFailure(e));
            case OperationCanceledException or TimeoutException when stage == SmtpStage.Connect && _log.Greeting is null && _options.Protocol == MailProtocol.Smtp:
                var plainOn465 = _port == 465;
                var waited = SocketConnector.Seconds(plainOn465 ? Min(_options.CommandTimeout, TimeSpan.FromSeconds(5)) : _options.CommandTimeout);
                return Broken(new SmtpProtocolException(
                    plainOn465
                        ? $"port 465 expects TLS from the first byte: set Mail__Protocol=Smtps ({_host} sent no SMTP greeting within {waited})"
                        : $"{_host}:{_port} sent no SMTP greeting within {waited}",
                    plainOn465
                        ? "set Mail__Protocol=Smtps (or use port 25/587 with Mail__Protocol=Smtp)"
                        : "if this port expects TLS from the first byte (SMTPS), set Mail__Protocol=Smtps; otherwise check the server or raise Mail__CommandTimeout",
                    e));
            case OperationCanceledException or TimeoutException:
                return Broken(new SmtpProtocolException(
                    $"{_host} did not answer within {SocketConnector.Seconds(_options.CommandTimeout)} during {during}",
                    "check the mail server (it may be overloaded or a firewall may drop packets), or raise Mail__CommandTimeout", e));
            case ServiceNotAuthenticatedException:
                return AuthenticationRequired(new SmtpReply((int)SmtpReplyCode.AuthenticationRequired, e.Message.Split('\n')), e);
            case MailKit.Net.Smtp.SmtpCommandException command:
                return CommandFailure(command, during);
            // MailKit drops the connection on every protocol error, so only its message tells a lost connection
            // ("The SMTP server has unexpectedly disconnected") from a reply it could not parse.
            case MailKit.Net.Smtp.SmtpProtocolException or ServiceNotConnectedException when e is ServiceNotConnectedException || e.Message.Contains("disconnected", StringComparison.OrdinalIgnoreCase):
                return Broken(new SmtpProtocolException(
                    $"{_host} closed the connection unexpectedly{(stage == SmtpStage.Connect ? " before its greeting" : $" during {StageName(stage)}")}",
                    stage == SmtpStage.Connect
                        ? "the server refused this client without a reply; check its access rules (and Mail__Protocol: Smtps against a plain port closes like this)"
                        : "check the mail server's logs for why it dropped the session",
                    e));
            case MailKit.Net.Smtp.SmtpProtocolException:
                return Broken(new SmtpProtocolException(
                    $"{_host} sent a reply that is not SMTP during {StageName(stage)}; the connection was dropped ({e.Message})",
                    "check that Mail__Host and Mail__Port point at an SMTP server (and Mail__Protocol matches the port)", e));
            case IOException or SocketException or ObjectDisposedException:
                return Broken(new SmtpProtocolException(
                    $"the connection to {_host}:{_port} was lost during {during}: {e.Message}",
                    "check the mail server's logs for why it dropped the session", e));
            case NotSupportedException:
                return new SmtpException($"{_host}: {e.Message}; nothing was sent", "check the server's extensions with notifier check-smtp", e);
            default:
                // Anything unexpected: the session's state is unknown, so it is never reused.
                IsBroken = true;
                return null;
        }
    }

    private SmtpException CommandFailure(MailKit.Net.Smtp.SmtpCommandException e, string during)
    {
        var reply = new SmtpReply((int)e.StatusCode, e.Message.Split('\n'));
        if (reply.Code == SmtpReplyCode.AuthenticationRequired)
        {
            return AuthenticationRequired(reply, e);
        }

        if (_log.Stage == SmtpStage.Connect)
        {
            return Broken(new SmtpCommandException(
                $"{_host} refused the session in its greeting: {reply}", reply.Code, reply.EnhancedStatus, reply.ToString(), null,
                reply.Code == SmtpReplyCode.ServiceNotAvailable
                    ? "the server is not accepting mail right now (busy, or refusing this client); try again later or check its logs"
                    : "check that Mail__Host and Mail__Port point at a mail server that accepts this client",
                e));
        }

        if (reply.Code == SmtpReplyCode.ServiceNotAvailable)
        {
            // RFC 5321 §3.8: 421 means the server is closing the channel.
            return Broken(new SmtpCommandException(
                $"{_host} closed the session ({reply}) while waiting for the reply to {during}",
                reply.Code, reply.EnhancedStatus, reply.ToString(), e.Mailbox?.Address,
                "the server is shutting down or limiting this client; try again later or check the server's logs", e));
        }

        return e.ErrorCode switch
        {
            SmtpErrorCode.SenderNotAccepted => new SmtpCommandException(
                $"{_host} refused the sender {e.Mailbox?.Address} (MAIL FROM): {reply}", reply.Code, reply.EnhancedStatus, reply.ToString(), e.Mailbox?.Address,
                "check Mail__From: the server must accept it as a sender for this account", e),
            _ when _log.Stage == SmtpStage.Tls => Broken(new SmtpCommandException(
                $"{_host} refused STARTTLS: {reply}", reply.Code, reply.EnhancedStatus, reply.ToString(), null,
                "fix TLS on the mail server; Notifier never falls back to plaintext once STARTTLS was tried (Mail__Tls=None disables STARTTLS)", e)),
            _ when _log.Stage == SmtpStage.Data && _log.ContentStarted && _log.LastReply?.Code != SmtpReplyCode.StartMailInput && e.ErrorCode == SmtpErrorCode.MessageNotAccepted => new SmtpCommandException(
                $"{_host} refused the message after DATA: {reply}", reply.Code, reply.EnhancedStatus, reply.ToString(), null,
                reply.Value < 500
                    ? "the server failed temporarily; the notification was not sent (Notifier does not retry)"
                    : "the server's reply says why it rejected the message", e),
            _ => new SmtpCommandException($"{_host} refused {during}: {reply}", reply.Code, reply.EnhancedStatus, reply.ToString(), e.Mailbox?.Address, null, e),
        };
    }

    private SmtpCommandException AuthenticationRequired(SmtpReply reply, Exception inner)
    {
        var text = reply.Lines.Count > 0 && reply.Lines[0].Length > 0 ? reply.ToString() : "530 Authentication required";
        return new SmtpCommandException(
            $"{_host} accepts mail only from clients that sign in ({text}): set Mail__Username and Mail__Password, or Mail__Authentication=OAuth2",
            SmtpReplyCode.AuthenticationRequired, reply.EnhancedStatus, text, null,
            "this is not a problem with Mail__From: configure credentials the server accepts (Mail__Username/Mail__Password, or Mail__Authentication=OAuth2 for Microsoft 365)",
            inner);
    }

    private SmtpProtocolException HandshakeFailure(Exception e)
    {
        if (_validation.Failure is not null)
        {
            return new SmtpProtocolException(_validation.Failure, _validation.FailureHint, e);
        }

        if (_options.Protocol == MailProtocol.Smtps && PlaintextGreeting() is { } greeting)
        {
            return new SmtpProtocolException(
                $"{_host}:{_port} answered in plaintext (\"{greeting}\") instead of starting TLS: set Mail__Protocol=Smtp",
                "this port speaks plain SMTP: set Mail__Protocol=Smtp with Mail__Tls=Always to encrypt with STARTTLS",
                e);
        }

        var reason = e is SslHandshakeException && e.InnerException is { } inner ? inner.Message : e.Message;
        return new SmtpProtocolException(
            $"the TLS handshake with {_host}:{_port} failed: {reason}",
            "the server must offer TLS 1.2 or later with a certificate for " + _host, e);
    }

    /// <summary>
    /// After a failed SMTPS handshake: looks once more, without TLS, at what the port says first. A plain SMTP
    /// server greets at once ("220 …"); the first line tells the admin the port is not SMTPS.
    /// </summary>
    private string? PlaintextGreeting()
    {
        try
        {
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            socket.ReceiveTimeout = 2000;
            socket.SendTimeout = 2000;
            var connect = socket.BeginConnect(_host, _port, null, null);
            if (!connect.AsyncWaitHandle.WaitOne(Min(_options.ConnectTimeout, TimeSpan.FromSeconds(2))))
            {
                return null;
            }

            socket.EndConnect(connect);
            var buffer = new byte[512];
            var read = socket.Receive(buffer);
            var text = Encoding.ASCII.GetString(buffer, 0, read);
            var end = text.IndexOfAny(['\r', '\n']);
            var line = end < 0 ? text : text[..end];
            return line.Length >= 3 && char.IsAsciiDigit(line[0]) && char.IsAsciiDigit(line[1]) && char.IsAsciiDigit(line[2]) ? line : null;
        }
        catch (SocketException)
        {
            return null;
        }
    }

    private SmtpException Broken(SmtpException e)
    {
        IsBroken = true;
        return e;
    }

    private string DescribeTls() => TlsInfo is { } tls
        ? $"{tls.ProtocolName}, {tls.CipherSuite}; certificate {tls.Subject}, issued by {tls.Issuer}, valid until {tls.NotAfter:yyyy-MM-dd}, SHA-256 {tls.Sha256Fingerprint}"
        : "TLS";

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

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <summary>
    /// The EHLO argument (RFC 5321 §4.1.4): this machine's name when it is a fully qualified domain, else our
    /// end's address (MailKit writes it as an address literal), since many servers refuse a bare container name.
    /// </summary>
    private static string HeloDomain(EndPoint? local)
    {
        var name = MachineName.Value;
        if (name.Contains('.', StringComparison.Ordinal))
        {
            return name;
        }

        return local is IPEndPoint endpoint ? endpoint.Address.ToString() : name.Length > 0 ? name : "127.0.0.1";
    }

    private static readonly Lazy<string> MachineName = new(() =>
    {
        var name = Dns.GetHostName();
        return name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.') ? name : "";
    });
}

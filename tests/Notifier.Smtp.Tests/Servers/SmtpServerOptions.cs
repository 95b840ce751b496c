namespace Notifier.Smtp.Tests.Servers;

/// <summary>How to start smtp_server.py; each property maps to one of its command-line options.</summary>
public sealed record SmtpServerOptions
{
    public ServerTls Tls { get; init; } = ServerTls.None;

    /// <summary>The loopback address to bind; any 127.x.y.z works on Linux.</summary>
    public string Address { get; init; } = "127.0.0.1";

    /// <summary>The port to listen on; 0 (the default) picks a free one, which the server holds and reports.</summary>
    public int Port { get; init; }

    /// <summary>
    /// Hold the port but refuse connections (a server that is down) until <see cref="SmtpServerProcess.ListenAsync"/>.
    /// </summary>
    public bool StartClosed { get; init; }

    /// <summary>Certificate and key the server presents; required unless <see cref="Tls"/> is None.</summary>
    public PemCertificate? Certificate { get; init; }

    /// <summary>Required credentials as <c>user:password</c>; null serves anonymous clients.</summary>
    public string? Auth { get; init; }

    /// <summary>Offer only AUTH XOAUTH2, for this mailbox (the SASL <c>user=</c>); null: no XOAUTH2.</summary>
    public string? XOAuth2Mailbox { get; init; }

    /// <summary>The access tokens XOAUTH2 accepts; any other well-formed one gets Exchange Online's 334 JSON challenge and 535.</summary>
    public IReadOnlyList<string> XOAuth2Tokens { get; init; } = [];

    /// <summary>With <see cref="Auth"/>: the password mechanisms offered, of PLAIN and LOGIN; empty (the default) offers both.</summary>
    public IReadOnlyList<string> AuthMechanisms { get; init; } = [];

    /// <summary>Offer SMTPUTF8 in EHLO (the default); false makes a server that takes ASCII addresses only.</summary>
    public bool OfferSmtpUtf8 { get; init; } = true;

    /// <summary>Offer PIPELINING in EHLO (aiosmtpd does not by default).</summary>
    public bool OfferPipelining { get; init; }

    /// <summary>The newest TLS version the server speaks, e.g. "1.1" for an outdated server; null: TLS 1.2 and 1.3.</summary>
    public string? TlsMaximumVersion { get; init; }

    /// <summary>Offer AUTH on an unencrypted connection too.</summary>
    public bool AllowPlaintextAuth { get; init; }

    /// <summary>The SIZE limit the server advertises, in bytes; null keeps aiosmtpd's 32 MiB.</summary>
    public int? SizeLimit { get; init; }

    /// <summary>Faults from smtp_server.py's list, e.g. <c>data-451</c> or <c>refuse-rcpt=bob@example.com</c>.</summary>
    public IReadOnlyList<string> Faults { get; init; } = [];

    internal IEnumerable<string> Arguments()
    {
        yield return "--address";
        yield return Address;
        yield return "--tls";
        yield return Tls switch { ServerTls.StartTls => "starttls", ServerTls.Smtps => "smtps", _ => "none" };
        if (Certificate is not null)
        {
            yield return "--cert";
            yield return Certificate.CertificatePath;
            yield return "--key";
            yield return Certificate.KeyPath;
        }

        if (Auth is not null)
        {
            yield return "--auth";
            yield return Auth;
        }

        if (XOAuth2Mailbox is not null)
        {
            yield return "--xoauth2";
            yield return XOAuth2Mailbox;
        }

        foreach (var token in XOAuth2Tokens)
        {
            yield return "--xoauth2-token";
            yield return token;
        }

        foreach (var mechanism in AuthMechanisms)
        {
            yield return "--auth-mechanism";
            yield return mechanism;
        }

        if (!OfferSmtpUtf8)
        {
            yield return "--no-smtputf8";
        }

        if (OfferPipelining)
        {
            yield return "--pipelining";
        }

        if (TlsMaximumVersion is not null)
        {
            yield return "--tls-max-version";
            yield return TlsMaximumVersion;
        }

        if (StartClosed)
        {
            yield return "--closed";
        }

        if (AllowPlaintextAuth)
        {
            yield return "--allow-plaintext-auth";
        }

        if (SizeLimit is { } limit)
        {
            yield return "--size-limit";
            yield return limit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        foreach (var fault in Faults)
        {
            yield return "--fault";
            yield return fault;
        }
    }
}

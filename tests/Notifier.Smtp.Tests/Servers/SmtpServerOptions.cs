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

using System.Net.Security;
using System.Security.Authentication;

namespace Notifier.Smtp.Diagnostics;

/// <summary>What was negotiated on a TLS connection and the certificate the server presented.</summary>
public sealed record SmtpTlsInfo(
    SslProtocols Protocol,
    TlsCipherSuite CipherSuite,
    string Subject,
    string Issuer,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    string Sha256Fingerprint,
    IReadOnlyList<string> DnsNames)
{
    /// <summary>E.g. "TLS 1.3".</summary>
    public string ProtocolName => Protocol switch
    {
        SslProtocols.Tls12 => "TLS 1.2",
        SslProtocols.Tls13 => "TLS 1.3",
        _ => Protocol.ToString(),
    };
}

using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Notifier.Smtp.Tests.Servers;

/// <summary>
/// Certificates made at test time, written as PEM files to a temporary folder: a private CA with a leaf for
/// localhost (DNS:localhost, IP:127.0.0.1), a self-signed localhost leaf, and a CA-issued leaf for another
/// name; more leaves of the CA on demand (<see cref="LocalhostWithRevocationUrls"/>). One instance per test
/// class (an xunit class fixture): making keys is the slow part.
/// </summary>
public sealed class ServerCertificates : IDisposable
{
    public const string OtherHostName = "mail.other.example";

    private readonly string _folder = Directory.CreateTempSubdirectory("notifier-certs-").FullName;
    private readonly X509Certificate2 _authority;

    public ServerCertificates()
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Notifier Test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        _authority = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));

        AuthorityPath = Path.Combine(_folder, "ca.pem");
        File.WriteAllText(AuthorityPath, _authority.ExportCertificatePem() + "\n");
        Localhost = Leaf("localhost", _authority, includeLoopbackIp: true);
        OtherHost = Leaf(OtherHostName, _authority, includeLoopbackIp: false);
        SelfSigned = Leaf("localhost", issuer: null, includeLoopbackIp: true, fileName: "self-signed");
    }

    /// <summary>The CA certificate (PEM) to put in Mail__TrustedCertificatesPath.</summary>
    public string AuthorityPath { get; }

    /// <summary>Issued by the CA for localhost and 127.0.0.1.</summary>
    public PemCertificate Localhost { get; }

    /// <summary>Issued by the CA for <see cref="OtherHostName"/> only: connecting to localhost is a host-name mismatch.</summary>
    public PemCertificate OtherHost { get; }

    /// <summary>Self-signed for localhost; trusted only when its own PEM is in Mail__TrustedCertificatesPath.</summary>
    public PemCertificate SelfSigned { get; }

    /// <summary>
    /// Issued by the CA for localhost and 127.0.0.1, naming <paramref name="url"/> as the place of its CA's
    /// revocation list (CRL distribution point) and of its OCSP responder (AIA): a client that checks
    /// revocation must fetch from there. (No AIA caIssuers URL: that one is fetched to build the chain, not
    /// to check revocation.)
    /// </summary>
    public PemCertificate LocalhostWithRevocationUrls(string url)
    {
        var extensions = new X509Extension[]
        {
            CertificateRevocationListBuilder.BuildCrlDistributionPointExtension([url + "ca.crl"]),
            new X509AuthorityInformationAccessExtension([url + "ocsp"], null),
        };
        return Leaf("localhost", _authority, includeLoopbackIp: true, fileName: "revocation-" + Guid.NewGuid().ToString("N"), extensions);
    }

    /// <summary>
    /// Issued by the CA for localhost and 127.0.0.1, naming <paramref name="url"/> as the place of its issuer's
    /// certificate (AIA caIssuers), where a client that lacks the issuer would download it from.
    /// </summary>
    public PemCertificate LocalhostWithIssuerUrl(string url) =>
        Leaf("localhost", _authority, includeLoopbackIp: true, fileName: "issuer-url-" + Guid.NewGuid().ToString("N"), [new X509AuthorityInformationAccessExtension(null, [url + "ca.crt"])]);

    public void Dispose()
    {
        _authority.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private PemCertificate Leaf(string name, X509Certificate2? issuer, bool includeLoopbackIp, string? fileName = null, IEnumerable<X509Extension>? extensions = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + name, key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        if (includeLoopbackIp)
        {
            san.AddIpAddress(IPAddress.Loopback);
        }

        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        foreach (var extension in extensions ?? [])
        {
            request.CertificateExtensions.Add(extension);
        }

        var notBefore = DateTimeOffset.UtcNow.AddHours(-1);
        var notAfter = DateTimeOffset.UtcNow.AddDays(7);
        if (issuer is not null)
        {
            request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        }

        using var certificate = issuer is null
            ? request.CreateSelfSigned(notBefore, notAfter)
            : request.Create(issuer, notBefore, notAfter, RandomNumberGenerator.GetBytes(12));

        var stem = Path.Combine(_folder, fileName ?? name);
        File.WriteAllText(stem + ".pem", certificate.ExportCertificatePem() + "\n");
        File.WriteAllText(stem + ".key", key.ExportPkcs8PrivateKeyPem() + "\n");
        return new PemCertificate(stem + ".pem", stem + ".key");
    }
}

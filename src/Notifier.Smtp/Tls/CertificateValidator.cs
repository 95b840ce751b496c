using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Notifier.Smtp.Tls;

/// <summary>
/// Validates the server certificate: chain and host name against the system store, and when that fails,
/// the chain again with the certificates from <c>Mail__TrustedCertificatesPath</c> as extra trust anchors
/// (a self-signed server certificate placed there validates as its own root). Host-name mismatches are
/// never forgiven. The reason for a refusal is kept so the error can say what to change.
/// </summary>
internal sealed class CertificateValidator(X509Certificate2Collection trusted)
{
    public X509Certificate2Collection Trusted { get; } = trusted;

    /// <summary>Validates one handshake; create one per connection attempt (it records the failure).</summary>
    public Session Begin(string host, int port, bool implicitTls) => new(this, host, port, implicitTls);

    internal sealed class Session(CertificateValidator owner, string host, int port, bool implicitTls)
    {
        /// <summary>Why the certificate was refused, written for an admin; null when it was accepted or not checked.</summary>
        public string? Failure { get; private set; }

        public string? FailureHint { get; private set; }

        public bool Validate(object _, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
        {
            if (errors == SslPolicyErrors.None)
            {
                return true;
            }

            if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
            {
                Failure = $"{host} presented no TLS certificate";
                FailureHint = "configure a certificate on the mail server";
                return false;
            }

            var leaf = certificate as X509Certificate2 ?? new X509Certificate2(certificate);
            var fingerprint = TrustedCertificates.Fingerprint(leaf);
            var chainStatus = chain?.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status) ?? X509ChainStatusFlags.NoError;
            if (errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors) && owner.Trusted.Count > 0 && BuildsWithTrusted(leaf, chain, out var customStatus))
            {
                errors &= ~SslPolicyErrors.RemoteCertificateChainErrors;
                chainStatus = customStatus;
            }

            if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
            {
                var names = CertificateNames(leaf);
                Failure = $"the certificate of {host} does not name {host}: it is for {(names.Count == 0 ? leaf.Subject : string.Join(", ", names))} (SHA-256 {fingerprint})";
                FailureHint = "set Mail__Host to a name the certificate covers, or have the server's certificate reissued for " + host;
                return false;
            }

            if (errors == SslPolicyErrors.None)
            {
                return true;
            }

            if (chainStatus.HasFlag(X509ChainStatusFlags.NotTimeValid))
            {
                var expired = leaf.NotAfter < DateTime.Now;
                Failure = expired
                    ? $"the certificate of {host} expired on {leaf.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm} UTC (SHA-256 {fingerprint})"
                    : $"the certificate of {host} (SHA-256 {fingerprint}) is not valid before {leaf.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm} UTC";
                FailureHint = "renew the mail server's certificate (or check this machine's clock)";
                return false;
            }

            if (leaf.SubjectName.RawData.AsSpan().SequenceEqual(leaf.IssuerName.RawData))
            {
                Failure = $"the certificate of {host} is self-signed (SHA-256 {fingerprint}): add it to Mail__TrustedCertificatesPath";
                FailureHint = $"save the server's certificate as PEM ({SaveCommand()}) and set Mail__TrustedCertificatesPath to that file";
                return false;
            }

            Failure = $"the certificate of {host} (SHA-256 {fingerprint}) is issued by '{leaf.Issuer}', which this machine does not trust ({Describe(chainStatus)}): add the issuing CA certificate to Mail__TrustedCertificatesPath";
            FailureHint = $"put the PEM of your private CA (or of the server certificate itself, shown by {SaveCommand()}) into the file named by Mail__TrustedCertificatesPath";
            return false;
        }

        /// <summary>The openssl command that shows this server's certificate, for the host, port and protocol in use.</summary>
        private string SaveCommand() => implicitTls
            ? $"openssl s_client -connect {host}:{port} -showcerts"
            : $"openssl s_client -connect {host}:{port} -starttls smtp -showcerts";

        private bool BuildsWithTrusted(X509Certificate2 leaf, X509Chain? serverChain, out X509ChainStatusFlags status)
        {
            using var custom = new X509Chain();
            custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            // Private CAs and self-signed servers rarely publish revocation lists reachable from here.
            custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            custom.ChainPolicy.CustomTrustStore.AddRange(owner.Trusted);
            custom.ChainPolicy.ExtraStore.AddRange(owner.Trusted);
            if (serverChain is not null)
            {
                foreach (var element in serverChain.ChainElements)
                {
                    custom.ChainPolicy.ExtraStore.Add(element.Certificate);
                }
            }

            var ok = custom.Build(leaf);
            status = custom.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status);
            return ok;
        }

        private static string Describe(X509ChainStatusFlags status) =>
            status == X509ChainStatusFlags.NoError ? "chain error" : status.ToString();
    }

    internal static IReadOnlyList<string> CertificateNames(X509Certificate2 certificate)
    {
        var names = new List<string>();
        foreach (var extension in certificate.Extensions)
        {
            if (extension is X509SubjectAlternativeNameExtension san)
            {
                names.AddRange(san.EnumerateDnsNames());
                names.AddRange(san.EnumerateIPAddresses().Select(ip => ip.ToString()));
            }
        }

        if (names.Count == 0)
        {
            var cn = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
            if (!string.IsNullOrEmpty(cn))
            {
                names.Add(cn);
            }
        }

        return names;
    }
}

using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Notifier.Smtp.Tls;

/// <summary>Reads <c>Mail__TrustedCertificatesPath</c>: a PEM file holding one or more certificates.</summary>
internal static class TrustedCertificates
{
    /// <summary>Loads the certificates, or returns an error message naming the setting and the fix.</summary>
    public static X509Certificate2Collection Load(string? path, out string? error)
    {
        var certificates = new X509Certificate2Collection();
        error = null;
        if (string.IsNullOrWhiteSpace(path))
        {
            return certificates;
        }

        if (!File.Exists(path))
        {
            error = $"Mail__TrustedCertificatesPath: the file '{path}' does not exist; point it at a PEM file of certificates or leave it empty.";
            return certificates;
        }

        try
        {
            certificates.ImportFromPemFile(path);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            error = $"Mail__TrustedCertificatesPath: '{path}' could not be read as PEM certificates ({e.Message}); it must hold -----BEGIN CERTIFICATE----- blocks.";
            return certificates;
        }

        if (certificates.Count == 0)
        {
            error = $"Mail__TrustedCertificatesPath: '{path}' holds no PEM certificate (-----BEGIN CERTIFICATE----- block).";
        }

        return certificates;
    }

    /// <summary>SHA-256 of the DER encoding as colon-separated hex, the way openssl prints it.</summary>
    public static string Fingerprint(X509Certificate2 certificate) =>
        Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA256)).Chunk(2).Aggregate(
            new StringBuilder(), (sb, pair) => sb.Append(sb.Length == 0 ? "" : ":").Append(pair)).ToString();
}

using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Notifier.Smtp.Tls;

/// <summary>
/// Reads the extra trusted certificates: <c>Mail__TrustedCertificatesPath</c> (a PEM file) and
/// <c>Mail__TrustedCertificates</c> (PEM text, e.g. a Key Vault reference app setting in Azure, where the app
/// has no file of its own). When both are set, both are trusted.
/// </summary>
internal static class TrustedCertificates
{
    /// <summary>Loads the certificates of both settings, or returns an error message naming the setting and the fix.</summary>
    public static X509Certificate2Collection Load(Options.MailOptions options, out string? error)
    {
        ArgumentNullException.ThrowIfNull(options);
        var certificates = Load(options.TrustedCertificatesPath, out error);
        if (error is null && !string.IsNullOrWhiteSpace(options.TrustedCertificates))
        {
            certificates.AddRange(LoadText(options.TrustedCertificates, out error));
        }

        return certificates;
    }

    /// <summary>Loads PEM text (<c>Mail__TrustedCertificates</c>).</summary>
    public static X509Certificate2Collection LoadText(string pem, out string? error)
    {
        var certificates = new X509Certificate2Collection();
        error = null;
        // A value pasted into a portal field often arrives with its line breaks written as \n.
        var text = pem.Replace("\\n", "\n", StringComparison.Ordinal);
        try
        {
            certificates.ImportFromPem(text);
        }
        catch (CryptographicException e)
        {
            error = $"Mail__TrustedCertificates could not be read as PEM certificates ({e.Message}); it must hold -----BEGIN CERTIFICATE----- blocks.";
            return certificates;
        }

        if (certificates.Count == 0)
        {
            error = "Mail__TrustedCertificates holds no PEM certificate (-----BEGIN CERTIFICATE----- block).";
        }

        return certificates;
    }

    /// <summary>Loads the certificates of a PEM file, or returns an error message naming the setting and the fix.</summary>
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

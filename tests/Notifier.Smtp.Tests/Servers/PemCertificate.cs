namespace Notifier.Smtp.Tests.Servers;

/// <summary>A certificate and its private key as PEM files, the way a mail server is configured.</summary>
public sealed record PemCertificate(string CertificatePath, string KeyPath);

namespace Notifier.Smtp.Protocol;

/// <summary>The EHLO extensions this client understands (RFC 5321 §4.1.1.1 and the extension RFCs).</summary>
[Flags]
public enum SmtpCapabilities
{
    None = 0,

    /// <summary>The server answered EHLO (extended SMTP); false after a HELO fallback.</summary>
    Extended = 1 << 0,
    Pipelining = 1 << 1,
    Size = 1 << 2,
    StartTls = 1 << 3,
    Authentication = 1 << 4,
    EightBitMime = 1 << 5,
    SmtpUtf8 = 1 << 6,
    EnhancedStatusCodes = 1 << 7,
    Chunking = 1 << 8,
    BinaryMime = 1 << 9,
    Dsn = 1 << 10,
}

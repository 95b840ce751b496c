namespace Notifier.Smtp.Tests.Servers;

/// <summary>How the test SMTP server offers TLS (smtp_server.py --tls).</summary>
public enum ServerTls
{
    None,
    StartTls,
    Smtps,
}

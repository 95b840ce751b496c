namespace Notifier.Smtp.Diagnostics;

/// <summary>The steps of an SMTP session as <c>notifier check-smtp</c> and <c>send-test</c> print them.</summary>
public enum SmtpStage
{
    Connect,
    Tls,
    Ehlo,
    Auth,
    MailFrom,
    RcptTo,
    Data,
    Quit,
}

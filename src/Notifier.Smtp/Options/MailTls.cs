namespace Notifier.Smtp.Options;

/// <summary>STARTTLS policy for <see cref="MailProtocol.Smtp"/>, as Bitbucket's mail server page offers it.</summary>
public enum MailTls
{
    /// <summary>Never encrypt, even when the server offers STARTTLS.</summary>
    None,

    /// <summary>Use STARTTLS when the server offers it; plaintext otherwise.</summary>
    IfAvailable,

    /// <summary>Require STARTTLS; when the server lacks it, nothing is sent.</summary>
    Always,
}

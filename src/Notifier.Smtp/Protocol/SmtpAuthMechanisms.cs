namespace Notifier.Smtp.Protocol;

/// <summary>SASL mechanisms named in the server's AUTH extension. This client speaks PLAIN and LOGIN.</summary>
[Flags]
public enum SmtpAuthMechanisms
{
    None = 0,
    Plain = 1 << 0,
    Login = 1 << 1,
    CramMd5 = 1 << 2,
    XOAuth2 = 1 << 3,
    OAuthBearer = 1 << 4,
    Other = 1 << 5,
}

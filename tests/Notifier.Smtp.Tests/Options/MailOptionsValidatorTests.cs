using Notifier.Smtp.Options;
using Notifier.Smtp.Tests.Support;

namespace Notifier.Smtp.Tests.Options;

public sealed class MailOptionsValidatorTests
{
    private static MailOptions Valid() => new() { Host = "mail.example.com", From = "Code Review <noreply@example.com>" };

    private static IReadOnlyList<string> Problems(Action<MailOptions> change)
    {
        var options = Valid();
        change(options);
        return MailOptionsValidator.Problems(options);
    }

    [Fact]
    public void DefaultsWithHostAndFromAreValid()
    {
        Assert.True(new MailOptionsValidator().Validate(null, Valid()).Succeeded);
    }

    [Fact]
    public void OutboxModeNeedsNoFrom()
    {
        Assert.Empty(MailOptionsValidator.Problems(new MailOptions()));
    }

    [Fact]
    public void EveryProblemIsListedAtOnce()
    {
        var options = new MailOptions
        {
            Host = "mail.example.com",
            Port = 70000,
            Username = "user",
            ConnectTimeout = TimeSpan.Zero,
            CommandTimeout = TimeSpan.FromSeconds(-1),
            MaxConnections = 0,
            TrustedCertificatesPath = "/nonexistent/ca.pem",
        };

        var result = new MailOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        var failures = result.Failures!.ToList();
        Assert.Equal(7, failures.Count);
        Assert.Contains(failures, f => f.StartsWith("Mail__Port=70000", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Mail__Username is set but Mail__Password is empty", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Mail__From is required", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Mail__ConnectTimeout=", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Mail__CommandTimeout=", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Mail__MaxConnections=0", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Mail__TrustedCertificatesPath: the file '/nonexistent/ca.pem' does not exist", StringComparison.Ordinal));
    }

    [Fact]
    public void PasswordWithoutUsernameIsRefused()
    {
        Assert.Equal(
            ["Mail__Password is set but Mail__Username is empty: set both for AUTH, or clear both to send anonymously."],
            Problems(o => o.Password = "secret"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65536)]
    public void PortOutOfRangeIsRefused(int port)
    {
        Assert.Contains("is not a TCP port", Assert.Single(Problems(o => o.Port = port)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(64)]
    public void MaxConnectionsWithinRangeIsAccepted(int count)
    {
        Assert.Empty(Problems(o => o.MaxConnections = count));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65)]
    public void MaxConnectionsOutOfRangeIsRefused(int count)
    {
        Assert.Contains("use 1–64", Assert.Single(Problems(o => o.MaxConnections = count)), StringComparison.Ordinal);
    }

    [Fact]
    public void SmtpsWithTlsNoneIsContradictory()
    {
        Assert.Contains("contradicts Mail__Protocol=Smtps", Assert.Single(Problems(o =>
        {
            o.Protocol = MailProtocol.Smtps;
            o.Tls = MailTls.None;
        })), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(MailTls.IfAvailable)]
    [InlineData(MailTls.Always)]
    public void SmtpsWithOtherTlsValuesIsFine(MailTls tls)
    {
        Assert.Empty(Problems(o =>
        {
            o.Protocol = MailProtocol.Smtps;
            o.Tls = tls;
        }));
    }

    [Fact]
    public void CredentialsThatCouldNeverBeSentAreRefused()
    {
        var problem = Assert.Single(Problems(o =>
        {
            o.Tls = MailTls.None;
            o.Username = "u";
            o.Password = "p";
        }));

        Assert.Contains("Mail__AllowPlaintextAuth=true", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("\"p\"", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not an address")]
    [InlineData("Code Review <noreply>")]
    public void UnparseableFromIsRefused(string from)
    {
        Assert.Contains("Mail__From=", Assert.Single(Problems(o => o.From = from)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("smtp://mail.example.com", "without a scheme")]
    [InlineData("mail.example.com:587", "contains a port")]
    [InlineData("mail example.com", "is not a host name")]
    public void HostMustBeAPlainHostName(string host, string expected)
    {
        Assert.Contains(expected, Assert.Single(Problems(o => o.Host = host)), StringComparison.Ordinal);
    }

    [Fact]
    public void IPv6HostIsAccepted()
    {
        Assert.Empty(Problems(o => o.Host = "::1"));
    }

    [Fact]
    public void TrustedCertificatesFileMustHoldPemCertificates()
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, "not a certificate");

        Assert.Contains("holds no PEM certificate", Assert.Single(Problems(o => o.TrustedCertificatesPath = path)), StringComparison.Ordinal);
    }

    [Fact]
    public void TrustedCertificatesFileWithCertificatesIsAccepted()
    {
        using var certificate = TestCertificates.SelfSigned("mail.example.com");

        Assert.Empty(Problems(o => o.TrustedCertificatesPath = TestCertificates.WritePem(certificate)));
    }
}

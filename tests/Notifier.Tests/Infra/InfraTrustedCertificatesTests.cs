namespace Notifier.Tests.Infra;

/// <summary>
/// mailTrustedCertificatesPem: the mail server's PEM goes into Key Vault and reaches the app as the
/// Mail__TrustedCertificates Key Vault reference, read with the app's user-assigned identity.
/// </summary>
public sealed class InfraTrustedCertificatesTests
{
    private const string Pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

    [Fact]
    public void ThePemBecomesASecretAndAKeyVaultReferenceSetting()
    {
        var deployment = CompiledInfra.Deploy(("mailTrustedCertificatesPem", Pem));
        var vault = deployment.Single("Microsoft.KeyVault/vaults");

        var secret = deployment.Single("Microsoft.KeyVault/vaults/secrets");
        Assert.Equal($"{vault.Name}/mail-trusted-certificates", secret.Name);
        Assert.Equal(Pem, secret.GetText("properties.value"));
        Assert.Equal($"@Microsoft.KeyVault(SecretUri={vault.Runtime("vaultUri")}secrets/mail-trusted-certificates)", deployment.AppSettings()["Mail__TrustedCertificates"]);
        // The reference is resolved with the identity that holds Key Vault Secrets User on the vault.
        var identity = deployment.Single("Microsoft.ManagedIdentity/userAssignedIdentities");
        Assert.Equal(identity.Id, deployment.Single(InfraViews.SiteType).GetText("properties.keyVaultReferenceIdentity"));
        Assert.Contains(deployment.RoleAssignments().On(vault), a => a.PrincipalId == identity.Runtime("principalId") && a.RoleName == BuiltInRoles.KeyVaultSecretsUser);
    }

    [Fact]
    public void WithoutAPemThereIsNeitherSecretNorSetting()
    {
        Assert.Empty(CompiledInfra.Deployment.OfType("Microsoft.KeyVault/vaults/secrets"));
        Assert.DoesNotContain("Mail__TrustedCertificates", CompiledInfra.Deployment.AppSettings().Keys);
    }
}

using Microsoft.Extensions.Options;
using Notifier.KeyVault;

namespace Notifier.Settings;

/// <summary>Checks <c>KeyVault__*</c>; each message names the setting and the fix.</summary>
internal sealed class KeyVaultOptionsValidator : IValidateOptions<KeyVaultOptions>
{
    public ValidateOptionsResult Validate(string? name, KeyVaultOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.IsEnabled)
        {
            return ValidateOptionsResult.Success;
        }

        var problems = new List<string>();
        if (!options.Uri!.IsAbsoluteUri || options.Uri.Scheme != Uri.UriSchemeHttps)
        {
            problems.Add($"KeyVault__Uri must be the vault's https URL, e.g. https://my-vault.vault.azure.net/ (got '{options.Uri}').");
        }

        CheckSecretName(problems, "KeyVault__UsernameSecret", options.UsernameSecret);
        CheckSecretName(problems, "KeyVault__PasswordSecret", options.PasswordSecret);
        CheckSecretName(problems, "KeyVault__ClientSecretSecret", options.ClientSecretSecret);
        if (options.RefreshInterval <= TimeSpan.Zero)
        {
            problems.Add($"KeyVault__RefreshInterval must be a positive time span such as 00:10:00 (got {options.RefreshInterval}).");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static void CheckSecretName(List<string> problems, string setting, string? value)
    {
        // Key Vault secret names: 1-127 characters, letters, digits and dashes.
        if (string.IsNullOrEmpty(value) || value.Length > 127 || !value.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            problems.Add($"{setting} must be a Key Vault secret name (letters, digits and dashes, at most 127), got '{value}'.");
        }
    }
}

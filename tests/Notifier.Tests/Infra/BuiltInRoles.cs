namespace Notifier.Tests.Infra;

/// <summary>
/// The Azure built-in roles infra/ may assign, by role definition id. The ids are the same in every
/// subscription; each was checked against Microsoft's built-in roles reference and the Azure samples
/// (see docs/deploy.md, "What the template grants").
/// </summary>
internal static class BuiltInRoles
{
    public const string KeyVaultSecretsUser = "Key Vault Secrets User";
    public const string KeyVaultSecretsOfficer = "Key Vault Secrets Officer";
    public const string ServiceBusDataReceiver = "Azure Service Bus Data Receiver";
    public const string ServiceBusDataSender = "Azure Service Bus Data Sender";
    public const string StorageBlobDataOwner = "Storage Blob Data Owner";
    public const string StorageTableDataContributor = "Storage Table Data Contributor";
    public const string MonitoringMetricsPublisher = "Monitoring Metrics Publisher";

    public static IReadOnlyDictionary<string, string> ById { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["4633458b-17de-408a-b874-0445c86b69e6"] = KeyVaultSecretsUser,
        ["b86a8fe4-44ce-4948-aee5-eccb2c155cd7"] = KeyVaultSecretsOfficer,
        ["4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0"] = ServiceBusDataReceiver,
        ["69a216fc-b8fb-44d8-bc22-1f3c2cd27a39"] = ServiceBusDataSender,
        ["b7e6dc6d-f1e8-4753-8033-0f276bb0955b"] = StorageBlobDataOwner,
        ["0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3"] = StorageTableDataContributor,
        ["3913510d-42f4-4e42-8a64-420c390055eb"] = MonitoringMetricsPublisher,
    };
}

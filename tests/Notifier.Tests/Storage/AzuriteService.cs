namespace Notifier.Tests.Storage;

/// <summary>Which Azurite server to run: each is its own npm executable.</summary>
public enum AzuriteService
{
    Table,
    Blob,
}

using System.Text.Json.Serialization;

namespace Notifier.Rejections;

/// <summary>Where a rejected body too large for its envelope was kept: a blob in the app's storage account.</summary>
internal sealed record StoredBody(
    [property: JsonPropertyName("container")] string Container,
    [property: JsonPropertyName("name")] string Name);

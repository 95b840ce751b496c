namespace Notifier.Rejections;

/// <summary>Settings <c>Rejected__*</c>: how large a rejected envelope may be and where bodies that do not fit go.</summary>
public sealed class RejectedOptions
{
    public const string SectionName = "Rejected";

    /// <summary>The smallest maximum accepted: the envelope's own fields need a few KB.</summary>
    public const int MinEnvelopeBytes = 16 * 1024;

    /// <summary>
    /// Largest rejected envelope, in bytes of UTF-8 JSON: 256 KB, what a Service Bus Standard queue takes. A
    /// body that would make it larger is kept whole in <see cref="BodyContainer"/> instead.
    /// </summary>
    public int MaxEnvelopeBytes { get; set; } = 256 * 1024;

    /// <summary>Blob container, in the app's storage account (AzureWebJobsStorage), for bodies that do not fit.</summary>
    public string BodyContainer { get; set; } = "rejected-bodies";
}

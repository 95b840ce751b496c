namespace Notifier.Smtp.Tests.Servers;

/// <summary>One leaf MIME part as Python's email package read it.</summary>
public sealed record DecodedPart(string ContentType, string? Charset, string? TransferEncoding, string? Content, List<string> Defects);

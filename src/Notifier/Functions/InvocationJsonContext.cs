using System.Text.Json.Serialization;
using Notifier.Invocations;

namespace Notifier.Functions;

/// <summary>
/// The answer to the host and every value it can carry (<c>Outputs</c> and <c>ReturnValue</c> are typed
/// <see cref="object"/>, so each runtime type is listed). Generated at build time: reflection-built metadata
/// cost the first invocation about 10 ms of a cold start.
/// </summary>
[JsonSerializable(typeof(InvocationResult))]
[JsonSerializable(typeof(FunctionReturnValue))]
[JsonSerializable(typeof(FlushReturnValue))]
[JsonSerializable(typeof(HttpOutput))]
[JsonSerializable(typeof(string))]
internal sealed partial class InvocationJsonContext : JsonSerializerContext;

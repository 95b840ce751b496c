namespace Notifier.Tests.KeyVault;

/// <summary>Tests that set this process's environment variables: xUnit runs them one at a time, after all others.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialEnvironmentTests
{
    public const string Name = "process environment";
}

/// <summary>Sets environment variables of this process for one test and puts the previous values back.</summary>
internal sealed class ProcessEnvironment : IDisposable
{
    private readonly Dictionary<string, string?> _previous = new(StringComparer.Ordinal);

    public ProcessEnvironment(IReadOnlyDictionary<string, string?> variables, string name, string? value)
    {
        foreach (var (key, v) in variables.Append(new KeyValuePair<string, string?>(name, value)))
        {
            _previous.TryAdd(key, Environment.GetEnvironmentVariable(key));
            Environment.SetEnvironmentVariable(key, v);
        }
    }

    public void Dispose()
    {
        foreach (var (key, value) in _previous)
        {
            Environment.SetEnvironmentVariable(key, value);
        }
    }
}

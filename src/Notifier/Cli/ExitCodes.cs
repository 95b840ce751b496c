namespace Notifier.Cli;

/// <summary>The commands' exit codes (README.md, "The notifier command").</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>Not everything worked: not sent, not delivered, rejected, a check failed.</summary>
    public const int Failure = 1;

    /// <summary>Bad usage or unusable settings.</summary>
    public const int Usage = 2;
}

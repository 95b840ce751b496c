using System.Text.RegularExpressions;
using Notifier.Tests.Support;

namespace Notifier.Tests.Conventions;

/// <summary>
/// <c>dotnet test --filter "Category!=Integration"</c> runs only tests that start no process (README.md). This reads
/// every test file in the three test projects: a test that starts one of the repository's processes (the SMTP
/// server, the notifier, Azurite, Python's email parser, the Bicep compiler, Chromium), directly or through its
/// class's fixture, must carry <c>[Trait("Category", "Integration")]</c> on itself or on its class.
/// </summary>
public sealed partial class IntegrationTraitTests
{
    private const string Trait = "[Trait(\"Category\", \"Integration\")]";

    private static readonly string[] TestProjects = ["Notifier.Tests", "Notifier.Smtp.Tests", "Notifier.Notifications.Tests"];

    /// <summary>What starts a process, as a test file writes it.</summary>
    private static readonly string[] Starters =
    [
        "SmtpServerProcess.StartAsync", "NotifierProcess.", "AzuriteServer.StartAsync", "AzuriteTableFixture", "AzuriteBlobFixture",
        "PythonEmailParser.", "BicepCli", "CompiledInfra", "Chromium", "Process.Start",
    ];

    [Fact]
    public void EveryTestThatStartsAProcessCarriesTheIntegrationTrait()
    {
        var missing = new List<string>();
        var files = TestProjects
            .SelectMany(project => Directory.EnumerateFiles(Repo.Path("tests", project), "*Tests.cs", SearchOption.AllDirectories))
            .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();
        Assert.True(files.Count > 50, $"only {files.Count} test files found under {Repo.Path("tests")}");

        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            var firstTest = FirstTest().Match(text);
            if (!firstTest.Success)
            {
                continue;
            }

            // The class's attributes and constructor (its fixtures) stand before its first test.
            var header = text[..firstTest.Index];
            if (header.Contains(Trait, StringComparison.Ordinal))
            {
                continue;
            }

            var classStarts = StartsAProcess(header);
            foreach (var member in MemberBoundary().Split(text[firstTest.Index..]))
            {
                if (TestName().Match(member) is { Success: true } name && (classStarts || StartsAProcess(member)) && !member.Contains(Trait, StringComparison.Ordinal))
                {
                    missing.Add($"{Path.GetRelativePath(Repo.Root, file)}: {name.Groups[1].Value}");
                }
            }
        }

        Assert.Empty(missing);
    }

    private static bool StartsAProcess(string code) => Starters.Any(s => code.Contains(s, StringComparison.Ordinal));

    [GeneratedRegex(@"^\s*\[(Fact|Theory)\b", RegexOptions.Multiline)]
    private static partial Regex FirstTest();

    /// <summary>Members are separated by a blank line; a member's attributes stay with it.</summary>
    [GeneratedRegex(@"\n[ \t]*\n")]
    private static partial Regex MemberBoundary();

    [GeneratedRegex(@"\[(?:Fact|Theory)\b[\s\S]*?public (?:async )?\w+(?:<[^>]+>)? (\w+)\(")]
    private static partial Regex TestName();
}

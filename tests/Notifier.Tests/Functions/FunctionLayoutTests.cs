using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Notifier.Functions;
using Notifier.Tests.Support;

namespace Notifier.Tests.Functions;

/// <summary>host.json, every function.json, the handler's routes and the queue names must agree.</summary>
public sealed class FunctionLayoutTests
{
    private static readonly string FunctionsFolder = Repo.Path("src", "Notifier", "Functions");

    private static JsonElement ReadJson(string path) => JsonDocument.Parse(File.ReadAllText(path)).RootElement.Clone();

    private static JsonElement Binding(JsonElement functionJson, string direction, Func<string, bool> type) =>
        functionJson.GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("direction").GetString() == direction && type(b.GetProperty("type").GetString()!));

    [Fact]
    public void ThereIsOneFunctionFolderPerFunctionAndNoOther()
    {
        var folders = Directory.GetFiles(FunctionsFolder, "function.json", SearchOption.AllDirectories)
            .Select(f => Path.GetFileName(Path.GetDirectoryName(f))!).Order().ToList();

        Assert.Equal(FunctionCatalog.All.Select(f => f.Name).Order().ToList(), folders);
    }

    [Theory]
    [InlineData("PullRequestEvents")]
    [InlineData("RepositoryEvents")]
    [InlineData("AccountEvents")]
    public void EachQueueFunctionReadsItsQueueAsBinaryAndForwardsRejectsToTheRejectedQueue(string name)
    {
        var definition = FunctionCatalog.All.Single(f => f.Name == name);
        var json = ReadJson(Path.Combine(FunctionsFolder, name, "function.json"));

        var trigger = Binding(json, "in", t => t == "serviceBusTrigger");
        Assert.Equal(definition.TriggerBinding, trigger.GetProperty("name").GetString());
        Assert.Equal(definition.Queue, trigger.GetProperty("queueName").GetString());
        Assert.Equal(FunctionCatalog.ServiceBusConnection, trigger.GetProperty("connection").GetString());
        Assert.Equal("binary", trigger.GetProperty("dataType").GetString());

        var rejected = Binding(json, "out", t => t == "serviceBus");
        Assert.Equal(FunctionCatalog.RejectedBinding, rejected.GetProperty("name").GetString());
        Assert.Equal(FunctionCatalog.RejectedQueue, rejected.GetProperty("queueName").GetString());
        Assert.Equal(FunctionCatalog.ServiceBusConnection, rejected.GetProperty("connection").GetString());
    }

    [Fact]
    public void TheTestEmailFunctionIsAnAdminOnlyPostOnItsRoute()
    {
        var json = ReadJson(Path.Combine(FunctionsFolder, "SendTestEmail", "function.json"));

        var trigger = Binding(json, "in", t => t == "httpTrigger");
        Assert.Equal(FunctionCatalog.SendTestEmail.TriggerBinding, trigger.GetProperty("name").GetString());
        Assert.Equal("admin", trigger.GetProperty("authLevel").GetString());
        Assert.Equal(["post"], trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(FunctionCatalog.SendTestEmail.HttpRoute, trigger.GetProperty("route").GetString());
        Assert.Equal(FunctionCatalog.HttpResponseBinding, Binding(json, "out", t => t == "http").GetProperty("name").GetString());
    }

    [Fact]
    public void FlushBatchesIsATimerWhoseScheduleIsTheAppSetting()
    {
        var json = ReadJson(Path.Combine(FunctionsFolder, FunctionCatalog.FlushBatches.Name, "function.json"));

        var trigger = Binding(json, "in", t => t == "timerTrigger");
        Assert.Equal(FunctionCatalog.FlushBatches.TriggerBinding, trigger.GetProperty("name").GetString());
        Assert.Equal($"%{FunctionCatalog.FlushScheduleSetting}%", trigger.GetProperty("schedule").GetString());
        Assert.False(trigger.GetProperty("runOnStartup").GetBoolean());
        Assert.Single(json.GetProperty("bindings").EnumerateArray());
        Assert.Equal(Notifications.Batching.BatchingOptions.DefaultFlushSchedule, new Notifications.Batching.BatchingOptions().FlushSchedule);
    }

    [Fact]
    public void TheBitbucketWebhookIsAFunctionKeyPostThatWritesToThePullRequestAndRepositoryQueues()
    {
        var json = ReadJson(Path.Combine(FunctionsFolder, "BitbucketWebhook", "function.json"));

        var trigger = Binding(json, "in", t => t == "httpTrigger");
        Assert.Equal(FunctionCatalog.BitbucketWebhook.TriggerBinding, trigger.GetProperty("name").GetString());
        Assert.Equal("function", trigger.GetProperty("authLevel").GetString());
        Assert.Equal(["post"], trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(FunctionCatalog.BitbucketWebhook.HttpRoute, trigger.GetProperty("route").GetString());
        Assert.Equal(FunctionCatalog.HttpResponseBinding, Binding(json, "out", t => t == "http").GetProperty("name").GetString());
        var queues = json.GetProperty("bindings").EnumerateArray()
            .Where(b => b.GetProperty("type").GetString() == "serviceBus")
            .ToDictionary(b => b.GetProperty("name").GetString()!, b => (Queue: b.GetProperty("queueName").GetString(), Connection: b.GetProperty("connection").GetString(), Direction: b.GetProperty("direction").GetString()));
        Assert.Equal(2, queues.Count);
        Assert.Equal((FunctionCatalog.PullRequestEvents.Queue, FunctionCatalog.ServiceBusConnection, "out"), queues[FunctionCatalog.PullRequestsBinding]);
        Assert.Equal((FunctionCatalog.RepositoryEvents.Queue, FunctionCatalog.ServiceBusConnection, "out"), queues[FunctionCatalog.RepositoriesBinding]);
    }

    [Fact]
    public void HostJsonStartsNotifierServeAndConfiguresTheServiceBusExtension()
    {
        var host = ReadJson(Repo.Path("host.json"));

        Assert.Equal("2.0", host.GetProperty("version").GetString());
        var handler = host.GetProperty("customHandler");
        Assert.Equal("notifier", handler.GetProperty("description").GetProperty("defaultExecutablePath").GetString());
        Assert.Equal(["serve"], handler.GetProperty("description").GetProperty("arguments").EnumerateArray().Select(a => a.GetString()));
        Assert.False(handler.GetProperty("enableForwardingHttpRequest").GetBoolean());
        Assert.Equal("[4.*, 5.0.0)", host.GetProperty("extensionBundle").GetProperty("version").GetString());
        var serviceBus = host.GetProperty("extensions").GetProperty("serviceBus");
        Assert.True(serviceBus.GetProperty("autoCompleteMessages").GetBoolean());
        Assert.Equal(16, serviceBus.GetProperty("maxConcurrentCalls").GetInt32());
        Assert.Equal(TimeSpan.FromMinutes(5), TimeSpan.Parse(serviceBus.GetProperty("maxAutoLockRenewalDuration").GetString()!, CultureInfo.InvariantCulture));
        Assert.Equal(0, serviceBus.GetProperty("prefetchCount").GetInt32());
        Assert.Equal("api", host.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
    }

    [Fact]
    public async Task TheHandlerServesEveryFunctionFolderAndNoOtherName()
    {
        await using var factory = new HandlerFactory();
        using var client = factory.CreateClient();
        var folders = Directory.GetDirectories(FunctionsFolder).Where(d => File.Exists(Path.Combine(d, "function.json")))
            .Select(d => Path.GetFileName(d)!).Order().ToList();

        foreach (var folder in folders)
        {
            // An empty invocation: each function answers it in its own way; only a name it does not serve is 404.
            using var content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
            using var response = await client.PostAsync("/" + folder, content);
            Assert.True(response.StatusCode != System.Net.HttpStatusCode.NotFound, $"POST /{folder}: {response.StatusCode}");
        }

        Assert.Equal(folders, FunctionCatalog.All.Select(f => f.Name).Order().ToList());
    }

    [Fact]
    public void TheLocalSettingsExampleHoldsEverySettingOfTheDocsSettingsTable()
    {
        var values = ReadJson(Repo.Path("local.settings.json.example")).GetProperty("Values");
        var documented = DocumentedSettings();
        Assert.Contains("Mail__TrustedCertificates", documented);
        Assert.Contains("DOTNET_GCgen0size", documented);

        // Documented as what stands in Azure for AzureWebJobsStorage, which the example sets for Azurite.
        var missing = documented.Except(["AzureWebJobsStorage__tableServiceUri"]).Where(s => !values.TryGetProperty(s, out _)).ToList();

        Assert.True(missing.Count == 0, "docs/functions-app.md names settings local.settings.json.example lacks: " + string.Join(", ", missing));
        Assert.True(values.TryGetProperty("AzureWebJobsStorage", out _));
        Assert.Equal("custom", values.GetProperty("FUNCTIONS_WORKER_RUNTIME").GetString());
    }

    [Fact]
    public void TheLocalSettingsExampleHoldsTheBitbucketWebhookSettings()
    {
        // docs/bitbucket.md documents these; the settings table of docs/functions-app.md does not.
        var values = ReadJson(Repo.Path("local.settings.json.example")).GetProperty("Values");

        Assert.True(values.TryGetProperty("Bitbucket__WebhookSecret", out _));
        Assert.True(values.TryGetProperty("Bitbucket__AllowUnsignedWebhooks", out _));
    }

    /// <summary>Every setting named in the first column of the table under "## Settings" in docs/functions-app.md.</summary>
    private static List<string> DocumentedSettings()
    {
        var text = File.ReadAllText(Repo.Path("docs", "functions-app.md"));
        var start = text.IndexOf("\n## Settings", StringComparison.Ordinal);
        Assert.True(start >= 0, "docs/functions-app.md has no Settings section");
        var end = text.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var rows = text[start..end].Split('\n').Where(line => line.StartsWith("| `", StringComparison.Ordinal));
        var settings = rows
            .SelectMany(row => Regex.Matches(row.Split('|')[1], "`([A-Za-z][A-Za-z0-9_]*)`").Select(m => m.Groups[1].Value))
            .ToList();
        Assert.True(settings.Count > 30, $"only {settings.Count} settings read from the table");
        return settings;
    }

    [Fact]
    public void TheLocalSettingsExampleUsesAnIdentityForServiceBusAndTheSamplesBaseUrl()
    {
        var values = ReadJson(Repo.Path("local.settings.json.example")).GetProperty("Values");
        var baseUrl = values.GetProperty("Notifications__BaseUrl").GetString()!;

        // Infra disables SAS keys on the namespace, so a connection string with a key cannot work there.
        Assert.False(values.TryGetProperty("ServiceBusConnection", out _));
        Assert.DoesNotContain("SharedAccessKey", values.GetRawText(), StringComparison.OrdinalIgnoreCase);
        Assert.EndsWith(".servicebus.windows.net", values.GetProperty("ServiceBusConnection__fullyQualifiedNamespace").GetString(), StringComparison.Ordinal);
        foreach (var sample in Directory.GetFiles(Repo.Path("samples", "events"), "account.*.json"))
        {
            var links = Regex.Matches(File.ReadAllText(sample), "\"(https://[^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
            Assert.NotEmpty(links);
            Assert.All(links, link => Assert.StartsWith(baseUrl, link, StringComparison.Ordinal));
        }
    }
}

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
        Assert.True(TimeSpan.Parse(serviceBus.GetProperty("maxAutoLockRenewalDuration").GetString()!, CultureInfo.InvariantCulture) > TimeSpan.Zero);
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
    public void TheLocalSettingsExampleNamesEverySetting()
    {
        var values = ReadJson(Repo.Path("local.settings.json.example")).GetProperty("Values");
        string[] settings =
        [
            "FUNCTIONS_WORKER_RUNTIME", "ServiceBusConnection__fullyQualifiedNamespace", "Mail__Host", "Mail__Port", "Mail__Protocol", "Mail__Tls",
            "Mail__Username", "Mail__Password", "Mail__From", "Mail__TrustedCertificatesPath", "Mail__AllowPlaintextAuth",
            "Mail__ConnectTimeout", "Mail__CommandTimeout", "Mail__MaxConnections", "Mail__OutboxDirectory",
            "Notifications__BaseUrl", "Notifications__SubjectPrefix", "Notifications__Batching__Mode", "Notifications__Batching__QuietPeriod",
            "Notifications__Batching__MaxDelay", "Notifications__Batching__Repositories", FunctionCatalog.FlushScheduleSetting, "KeyVault__Uri", "KeyVault__UsernameSecret", "KeyVault__PasswordSecret",
            "Bitbucket__WebhookSecret", "Bitbucket__AllowUnsignedWebhooks",
        ];

        Assert.All(settings, s => Assert.True(values.TryGetProperty(s, out _), $"{s} is missing"));
        Assert.Equal("custom", values.GetProperty("FUNCTIONS_WORKER_RUNTIME").GetString());
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

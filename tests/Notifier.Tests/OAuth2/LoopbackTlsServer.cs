using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Azure.Core.Pipeline;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Notifier.Smtp.Tests.Servers;

namespace Notifier.Tests.OAuth2;

/// <summary>A Kestrel server on 127.0.0.1 with a certificate of the test CA (<see cref="ServerCertificates"/>).</summary>
internal sealed class LoopbackTlsServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackTlsServer(WebApplication app, Uri uri)
    {
        _app = app;
        Uri = uri;
    }

    /// <summary>https://127.0.0.1:port/</summary>
    public Uri Uri { get; }

    public static async Task<LoopbackTlsServer> StartAsync(PemCertificate certificate, Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var serverCertificate = X509Certificate2.CreateFromPemFile(certificate.CertificatePath, certificate.KeyPath);
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(serverCertificate)));
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new LoopbackTlsServer(app, new Uri(address.TrimEnd('/') + "/"));
    }

    /// <summary>An Azure SDK transport that trusts the test CA (and only it), for clients inside the test process.</summary>
    public static HttpClientTransport TrustingTransport(string authorityPath)
    {
        var authority = X509Certificate2.CreateFromPem(File.ReadAllText(authorityPath));
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
                {
                    return false;
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(authority);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(certificate);
            },
        };
        return new HttpClientTransport(new HttpClient(handler));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

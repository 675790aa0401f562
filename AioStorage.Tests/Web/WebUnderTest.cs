using System.Net;
using AioStorage.Web.Components;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AioStorage.Tests.Web;

/// <summary>The real web app on a real Kestrel port, pointed at an api address the way Aspire points it.</summary>
public sealed class WebUnderTest : WebApplicationFactory<App>
{
    public const string PublicApiAddress = "http://files.example.test:4000/";

    private readonly Uri apiAddress;
    private readonly string publicApiAddress;
    private readonly IDictionary<string, string?> settings;

    private WebUnderTest(Uri apiAddress, string publicApiAddress, IDictionary<string, string?> settings)
    {
        this.apiAddress = apiAddress;
        this.publicApiAddress = publicApiAddress;
        this.settings = settings;
    }

    public Uri Address { get; private set; } = default!;

    /// <param name="apiAddress">Where the web server calls the api.</param>
    /// <param name="publicApiAddress">Where browsers reach the api (<c>NEXT_PUBLIC_API_URL</c>); a name that goes nowhere unless given.</param>
    /// <param name="port">The port to listen on; any free one when 0.</param>
    /// <param name="settings">More settings by name (<c>UPLOAD_CHUNK_SIZE</c>…).</param>
    public static WebUnderTest Start(Uri apiAddress, Uri? publicApiAddress = null, int port = 0, IDictionary<string, string?>? settings = null)
    {
        var web = new WebUnderTest(apiAddress, publicApiAddress?.ToString() ?? PublicApiAddress, settings ?? new Dictionary<string, string?>());
        web.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        web.StartServer();
        var addresses = web.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
        web.Address = new Uri(addresses.Addresses.Single());
        return web;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("services:api:http:0", apiAddress.ToString());
        builder.UseSetting("NEXT_PUBLIC_API_URL", publicApiAddress);
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
    }
}

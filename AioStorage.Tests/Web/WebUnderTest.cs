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

    private WebUnderTest(Uri apiAddress) => this.apiAddress = apiAddress;

    public Uri Address { get; private set; } = default!;

    public static WebUnderTest Start(Uri apiAddress)
    {
        var web = new WebUnderTest(apiAddress);
        web.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        web.StartServer();
        var addresses = web.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
        web.Address = new Uri(addresses.Addresses.Single());
        return web;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("services:api:http:0", apiAddress.ToString());
        builder.UseSetting("NEXT_PUBLIC_API_URL", PublicApiAddress);
        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
    }
}

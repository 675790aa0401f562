using System.Collections.Concurrent;
using System.Net;
using AioStorage.Tests.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AioStorage.Tests.Web;

/// <summary>
/// The real api (<see cref="ApiFactory"/>: real Redis, RabbitMQ, SQLite and storage, a fake clock) on a real Kestrel
/// port, so the web under test reaches it over HTTP exactly as it reaches the deployed api.
/// </summary>
public sealed class LiveApi : ApiFactory
{
    private LiveApi(IDictionary<string, string?>? settings)
        : base(settings)
    {
    }

    public Uri Address { get; private set; } = default!;

    /// <summary>Every request the api received, as "METHOD /path", in order: what the web asked behind the page's back.</summary>
    public IReadOnlyCollection<string> Requests => requests;

    private readonly ConcurrentQueue<string> requests = new();

    /// <param name="settings">The api's settings by their seed names (<c>CORS_ORIGINS</c>, <c>DEFAULT_STORAGE_QUOTA</c>…).</param>
    public static LiveApi Start(IDictionary<string, string?>? settings = null)
    {
        var api = new LiveApi(settings);
        api.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        api.StartServer();
        var addresses = api.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
        api.Address = new Uri(addresses.Addresses.Single());
        return api;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        // The tests refuse tokens on purpose; the api's note on each refusal would only bury real warnings.
        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        builder.ConfigureServices(services => services.AddSingleton<IStartupFilter>(new RequestRecorder(requests)));
    }

    private sealed class RequestRecorder(ConcurrentQueue<string> requests) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                requests.Enqueue($"{context.Request.Method} {context.Request.Path}");
                return nextMiddleware(context);
            });
            next(app);
        };
    }

    /// <summary>A client of the api over the network, as another device would be; <paramref name="userAgent"/> names it.</summary>
    public HttpClient NewClient(string? userAgent = null)
    {
        var client = new HttpClient { BaseAddress = Address };
        if (userAgent is not null)
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", userAgent);
        }

        return client;
    }
}

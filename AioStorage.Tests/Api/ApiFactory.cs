using System.Net;
using AioStorage.Api;
using AioStorage.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AioStorage.Tests.Api;

/// <summary>
/// The real api in-process, on real Redis, RabbitMQ and SQLite, with its own storage folder.
/// Settings are given as the seed's environment names, as an operator would.
/// </summary>
public class ApiFactory : WebApplicationFactory<ApiAssembly>
{
    /// <summary>Tests set the caller's address with this header (the in-memory test server has none).</summary>
    public const string ClientAddressHeader = "X-Test-Client-Address";

    private readonly Dictionary<string, string?> _settings;
    private readonly string _environment;
    private readonly bool _ownsRoot;

    /// <param name="root">
    /// A folder an earlier factory used (its storage and SQLite database), to start the api again on the same state as
    /// a restarted process would; the caller deletes it. Without it, the factory makes its own and deletes it at the end.
    /// </param>
    public ApiFactory(IDictionary<string, string?>? overrides = null, string environment = "Testing", string? root = null)
    {
        _environment = environment;
        _ownsRoot = root is null;
        Root = root ?? Directory.CreateTempSubdirectory("aio-api-").FullName;
        _settings = new Dictionary<string, string?>
        {
            ["REDIS_URL"] = $"redis://{TestServices.Redis}",
            ["RABBITMQ_URL"] = TestServices.RabbitMqUrl,
            ["STORAGE_PATH"] = Path.Combine(Root, "storage"),
            ["METADATA_PROVIDER"] = "sqlite",
            ["SQLITE_PATH"] = Path.Combine(Root, "metadata", "aio-storage.db"),
            ["JWT_SECRET"] = "tests-only-secret-" + Guid.NewGuid().ToString("N"),
            // The production work factor (600,000) would make every sign-up in the suite take a third of a second.
            ["Auth:PasswordIterations"] = "1000",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }
    }

    public string Root { get; }

    /// <summary>The api's clock: starts now, moves only when a test advances it.</summary>
    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(_environment);
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimeProvider>(Time);
            services.AddSingleton<IStartupFilter, ClientAddressFromHeader>();
        });
    }

    private sealed class ClientAddressFromHeader : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                if (IPAddress.TryParse(context.Request.Headers[ClientAddressHeader], out var address))
                {
                    context.Connection.RemoteIpAddress = address;
                }

                return nextMiddleware(context);
            });
            next(app);
        };
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_ownsRoot)
        {
            Directory.Delete(Root, recursive: true);
        }

        GC.SuppressFinalize(this);
    }
}

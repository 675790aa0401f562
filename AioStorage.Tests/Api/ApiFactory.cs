using AioStorage.Api;
using AioStorage.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace AioStorage.Tests.Api;

/// <summary>
/// The real api in-process, on real Redis, RabbitMQ and SQLite, with its own storage folder.
/// Settings are given as the seed's environment names, as an operator would.
/// </summary>
public class ApiFactory : WebApplicationFactory<ApiAssembly>
{
    private readonly Dictionary<string, string?> _settings;

    public ApiFactory(IDictionary<string, string?>? overrides = null)
    {
        Root = Directory.CreateTempSubdirectory("aio-api-").FullName;
        _settings = new Dictionary<string, string?>
        {
            ["REDIS_URL"] = $"redis://{TestServices.Redis}",
            ["RABBITMQ_URL"] = TestServices.RabbitMqUrl,
            ["STORAGE_PATH"] = Path.Combine(Root, "storage"),
            ["METADATA_PROVIDER"] = "sqlite",
            ["SQLITE_PATH"] = Path.Combine(Root, "metadata", "aio-storage.db"),
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }
    }

    public string Root { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(Root, recursive: true);
        GC.SuppressFinalize(this);
    }
}

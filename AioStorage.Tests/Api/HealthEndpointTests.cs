using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AioStorage.Tests.Infrastructure;

namespace AioStorage.Tests.Api;

public class HealthEndpointTests
{
    [Fact]
    public async Task Every_dependency_is_checked_and_healthy()
    {
        await using var api = new ApiFactory();
        using var response = await api.CreateClient().GetAsync("/api/v1/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("healthy", body.GetProperty("status").GetString());
        var checks = body.GetProperty("checks");
        foreach (var name in new[] { "metadata", "redis", "rabbitmq", "storage" })
        {
            Assert.Equal("healthy", checks.GetProperty(name).GetProperty("status").GetString());
        }

        Assert.Contains("sqlite", checks.GetProperty("metadata").GetProperty("description").GetString());
        Assert.Empty(body.GetProperty("failing").EnumerateArray());
        Assert.True(body.TryGetProperty("timestamp", out _));
    }

    [Fact]
    public async Task Stopping_redis_turns_health_into_503_naming_redis()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        await using var api = new ApiFactory(new Dictionary<string, string?> { ["REDIS_URL"] = redis.Url });
        var client = api.CreateClient();

        using (var before = await client.GetAsync("/api/v1/health"))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        await redis.StopAsync();

        using var after = await client.GetAsync("/api/v1/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, after.StatusCode);
        var body = await after.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("degraded", body.GetProperty("status").GetString());
        Assert.Equal(["redis"], body.GetProperty("failing").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("degraded", body.GetProperty("checks").GetProperty("redis").GetProperty("status").GetString());
        Assert.Equal("healthy", body.GetProperty("checks").GetProperty("rabbitmq").GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_unwritable_storage_path_is_reported()
    {
        var blocker = Path.Combine(Path.GetTempPath(), $"aio-not-a-folder-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(blocker, "a file where the storage folder should be");
        try
        {
            await using var api = new ApiFactory(new Dictionary<string, string?> { ["STORAGE_PATH"] = Path.Combine(blocker, "storage") });
            using var response = await api.CreateClient().GetAsync("/api/v1/health");

            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(["storage"], body.GetProperty("failing").EnumerateArray().Select(e => e.GetString()));
        }
        finally
        {
            File.Delete(blocker);
        }
    }

    [Fact]
    public async Task The_openapi_document_and_reference_are_served()
    {
        await using var api = new ApiFactory();
        var client = api.CreateClient();

        var document = await client.GetFromJsonAsync<JsonElement>("/api/v1/openapi.json");
        Assert.Equal("AIO Storage API", document.GetProperty("info").GetProperty("title").GetString());
        Assert.True(document.GetProperty("paths").TryGetProperty("/api/v1/health", out _));

        using var reference = await client.GetAsync("/api/v1/docs/");
        Assert.Equal(HttpStatusCode.OK, reference.StatusCode);
        Assert.Contains("AIO Storage API", await reference.Content.ReadAsStringAsync());
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using AioStorage.Tests.Infrastructure;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace AioStorage.Tests.Integration;

/// <summary>
/// The whole system as a developer runs it on a machine without containers: the AppHost in local mode starts Redis and
/// RabbitMQ from Debian's packages, the api, a worker and the web, and the test uses them over HTTP like a user.
/// </summary>
public class LocalModeSystemTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task Every_resource_comes_up_healthy_and_serves_a_user_end_to_end()
    {
        var dataPath = Directory.CreateTempSubdirectory("aio-local-mode-").FullName;
        try
        {
            var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AioStorage_AppHost>(
            [
                "Infrastructure:Mode=local",
                $"Infrastructure:DataPath={dataPath}",
                $"Ports:Redis={RedisServerProcess.FreePort()}",
                $"Ports:RabbitMq={RedisServerProcess.FreePort()}",
                $"Ports:RabbitMqManagement={RedisServerProcess.FreePort()}",
                $"Ports:RabbitMqDistribution={RedisServerProcess.FreePort()}",
                $"Ports:Epmd={RedisServerProcess.FreePort()}",
                $"Ports:Api={RedisServerProcess.FreePort()}",
                $"Ports:Web={RedisServerProcess.FreePort()}",
            ]);
            await using var app = await builder.BuildAsync();
            await app.StartAsync().WaitAsync(StartTimeout);

            var notifications = app.Services.GetRequiredService<ResourceNotificationService>();
            foreach (var resource in new[] { "redis", "rabbitmq", "api", "worker", "web" })
            {
                await notifications.WaitForResourceHealthyAsync(resource).WaitAsync(StartTimeout);
            }

            using var api = app.CreateHttpClient("api", "http");
            await AssertHealthyAsync(api);
            await AssertWorkerAnswersPingAsync(api);
            await AssertUserFlowAsync(api);

            using var web = app.CreateHttpClient("web", "http");
            using var status = await web.GetAsync("/status");
            Assert.Equal(HttpStatusCode.OK, status.StatusCode);
            Assert.Contains("System status", await status.Content.ReadAsStringAsync());
        }
        finally
        {
            Directory.Delete(dataPath, recursive: true);
        }
    }

    private static async Task AssertHealthyAsync(HttpClient api)
    {
        using var response = await api.GetAsync("/api/v1/health");
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        foreach (var check in new[] { "metadata", "redis", "rabbitmq", "storage" })
        {
            Assert.Equal("healthy", body.GetProperty("checks").GetProperty(check).GetProperty("status").GetString());
        }

        Assert.Contains("sqlite", body.GetProperty("checks").GetProperty("metadata").GetProperty("description").GetString());
    }

    private static async Task AssertWorkerAnswersPingAsync(HttpClient api)
    {
        using var sent = await api.PostAsync("/api/v1/system/ping", null);
        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        var id = (await sent.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        var deadline = DateTime.UtcNow.AddSeconds(30);
        JsonElement result;
        do
        {
            await Task.Delay(200);
            result = await api.GetFromJsonAsync<JsonElement>($"/api/v1/system/ping/{id}");
        }
        while (result.GetProperty("status").GetString() != "completed" && DateTime.UtcNow < deadline);

        Assert.Equal("completed", result.GetProperty("status").GetString());
        Assert.False(string.IsNullOrEmpty(result.GetProperty("worker").GetString()));
    }

    /// <summary>A new user signs up, builds a folder tree, renames and moves in it, logs out, and the old token is refused.</summary>
    private static async Task AssertUserFlowAsync(HttpClient api)
    {
        using var registered = await api.PostAsJsonAsync("/api/v1/auth/register",
            new { username = "local_mode_user", email = "local@example.test", password = "a long enough password" });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var token = (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        var photos = await CreateFolderAsync(api, "Photos", null);
        var trips = await CreateFolderAsync(api, "Trips", photos);
        var archive = await CreateFolderAsync(api, "Archive", null);
        (await api.PatchAsJsonAsync($"/api/v1/folders/{trips}", new { name = "Journeys", parentId = archive })).EnsureSuccessStatusCode();

        var view = await api.GetFromJsonAsync<JsonElement>($"/api/v1/folders/{trips}");
        Assert.Equal("Journeys", view.GetProperty("folder").GetProperty("name").GetString());
        Assert.Equal(["Archive"], view.GetProperty("ancestors").EnumerateArray().Select(a => a.GetProperty("name").GetString()));

        (await api.PostAsync("/api/v1/auth/logout", null)).EnsureSuccessStatusCode();
        using var refused = await api.GetAsync("/api/v1/auth/me");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    private static async Task<string> CreateFolderAsync(HttpClient api, string name, string? parentId)
    {
        using var response = await api.PostAsJsonAsync("/api/v1/folders", new { name, parentId });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }
}

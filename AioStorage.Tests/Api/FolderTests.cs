using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AioStorage.Tests.Infrastructure;

namespace AioStorage.Tests.Api;

public class FolderTests : IAsyncLifetime
{
    private readonly ApiFactory api = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await api.DisposeAsync();

    [Fact]
    public async Task A_tree_is_built_listed_with_ancestors_renamed_moved_and_trashed()
    {
        var client = api.CreateClient().As(await api.CreateClient().RegisterAsync());
        var photos = await CreateAsync(client, "Photos");
        var y2026 = await CreateAsync(client, "2026", photos);
        var summer = await CreateAsync(client, "Summer", y2026);
        var docs = await CreateAsync(client, "Documents");

        var view = await (await client.GetAsync($"/api/v1/folders/{summer}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("Summer", view.GetProperty("folder").GetProperty("name").GetString());
        Assert.Equal(y2026, view.GetProperty("folder").GetProperty("parentId").GetString());
        Assert.Equal(["Photos", "2026"], view.GetProperty("ancestors").EnumerateArray().Select(a => a.GetProperty("name").GetString()));

        var root = await (await client.GetAsync("/api/v1/folders/root")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("root", root.GetProperty("folder").GetProperty("id").GetString());
        Assert.Empty(root.GetProperty("ancestors").EnumerateArray());
        Assert.Equal(["Documents", "Photos"], Names(root));
        Assert.All(root.GetProperty("items").EnumerateArray(), i => Assert.Equal("folder", i.GetProperty("type").GetString()));

        var renamed = await (await client.PatchAsJsonAsync($"/api/v1/folders/{summer}", new { name = "Summer holidays" })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("Summer holidays", renamed.GetProperty("name").GetString());

        await (await client.PatchAsJsonAsync($"/api/v1/folders/{y2026}", new { parentId = docs })).JsonAsync(HttpStatusCode.OK);
        var moved = await (await client.GetAsync($"/api/v1/folders/{summer}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(["Documents", "2026"], moved.GetProperty("ancestors").EnumerateArray().Select(a => a.GetProperty("name").GetString()));

        using var toRoot = new StringContent("{\"parentId\": null}", System.Text.Encoding.UTF8, "application/json");
        var atRoot = await (await client.PatchAsync($"/api/v1/folders/{summer}", toRoot)).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(JsonValueKind.Null, atRoot.GetProperty("parentId").ValueKind);

        using var deleted = await client.DeleteAsync($"/api/v1/folders/{docs}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await (await client.GetAsync($"/api/v1/folders/{docs}")).ProblemAsync(HttpStatusCode.NotFound);
        await (await client.GetAsync($"/api/v1/folders/{y2026}")).ProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(["Photos", "Summer holidays"], Names(await (await client.GetAsync("/api/v1/folders/root")).JsonAsync(HttpStatusCode.OK)));

        var audit = await (await client.GetAsync("/api/v1/audit?limit=50")).JsonAsync(HttpStatusCode.OK);
        var actions = audit.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.Contains("folder.create", actions);
        Assert.Contains("folder.rename", actions);
        Assert.Contains("folder.move", actions);
        Assert.Contains("folder.delete", actions);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("nul\u0000byte")]
    [InlineData("tab\tname")]
    [InlineData("line\nbreak")]
    public async Task Invalid_names_are_refused(string name)
    {
        var client = api.CreateClient().As(await api.CreateClient().RegisterAsync());
        using var response = await client.PostAsJsonAsync("/api/v1/folders", new { name });
        var problem = await response.ProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("name", out _));
    }

    [Fact]
    public async Task Names_are_trimmed_and_limited_to_255_bytes_of_utf8()
    {
        var client = api.CreateClient().As(await api.CreateClient().RegisterAsync());
        var trimmed = await (await client.PostAsJsonAsync("/api/v1/folders", new { name = "  Reports  " })).JsonAsync(HttpStatusCode.Created);
        Assert.Equal("Reports", trimmed.GetProperty("name").GetString());

        var longest = new string('é', 127) + "x";
        Assert.Equal(255, System.Text.Encoding.UTF8.GetByteCount(longest));
        await (await client.PostAsJsonAsync("/api/v1/folders", new { name = longest })).JsonAsync(HttpStatusCode.Created);
        await (await client.PostAsJsonAsync("/api/v1/folders", new { name = longest + "y" })).ProblemAsync(HttpStatusCode.BadRequest);

        await (await client.PostAsJsonAsync("/api/v1/folders", new { name = "\u202Egnp.exe" })).JsonAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Names_are_unique_among_live_siblings_case_insensitively()
    {
        var client = api.CreateClient().As(await api.CreateClient().RegisterAsync());
        var first = await CreateAsync(client, "Projects");
        var problem = await (await client.PostAsJsonAsync("/api/v1/folders", new { name = "PROJECTS" })).ProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal("name", problem.GetProperty("field").GetString());

        var other = await CreateAsync(client, "Other");
        await (await client.PatchAsJsonAsync($"/api/v1/folders/{other}", new { name = "projects" })).ProblemAsync(HttpStatusCode.Conflict);

        (await client.DeleteAsync($"/api/v1/folders/{first}")).Dispose();
        await CreateAsync(client, "Projects");
    }

    [Fact]
    public async Task A_folder_cannot_move_into_itself_or_a_descendant()
    {
        var client = api.CreateClient().As(await api.CreateClient().RegisterAsync());
        var a = await CreateAsync(client, "A");
        var b = await CreateAsync(client, "B", a);
        var c = await CreateAsync(client, "C", b);

        await (await client.PatchAsJsonAsync($"/api/v1/folders/{a}", new { parentId = a })).ProblemAsync(HttpStatusCode.Conflict);
        await (await client.PatchAsJsonAsync($"/api/v1/folders/{a}", new { parentId = c })).ProblemAsync(HttpStatusCode.Conflict);
        await (await client.PatchAsJsonAsync($"/api/v1/folders/{a}", new { parentId = "no-such-folder" })).ProblemAsync(HttpStatusCode.NotFound);
        await (await client.PatchAsJsonAsync($"/api/v1/folders/{a}", new { parentId = 42 })).ProblemAsync(HttpStatusCode.BadRequest);

        var view = await (await client.GetAsync($"/api/v1/folders/{c}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(["A", "B"], view.GetProperty("ancestors").EnumerateArray().Select(x => x.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task Listings_page_and_sort()
    {
        var client = api.CreateClient().As(await api.CreateClient().RegisterAsync());
        foreach (var name in new[] { "delta", "Alpha", "echo", "charlie", "Bravo", "golf", "foxtrot" })
        {
            await CreateAsync(client, name);
            api.Time.Advance(TimeSpan.FromSeconds(1));
        }

        var page2 = await (await client.GetAsync("/api/v1/folders/root?page=2&limit=3")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(["delta", "echo", "foxtrot"], Names(page2));
        Assert.Equal(7, page2.GetProperty("total").GetInt64());
        Assert.Equal(2, page2.GetProperty("page").GetInt32());
        Assert.Equal(3, page2.GetProperty("limit").GetInt32());

        var byNameDesc = await (await client.GetAsync("/api/v1/folders/root?sort=name&order=desc&limit=2")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(["golf", "foxtrot"], Names(byNameDesc));

        var newest = await (await client.GetAsync("/api/v1/folders/root?sort=createdAt&order=desc&limit=2")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(["foxtrot", "golf"], Names(newest));

        await (await client.GetAsync("/api/v1/folders/root?sort=colour")).ProblemAsync(HttpStatusCode.BadRequest);
        await (await client.GetAsync("/api/v1/folders/root?order=sideways")).ProblemAsync(HttpStatusCode.BadRequest);
        await (await client.GetAsync("/api/v1/folders/root?limit=0")).ProblemAsync(HttpStatusCode.BadRequest);
        await (await client.GetAsync("/api/v1/folders/root?limit=201")).ProblemAsync(HttpStatusCode.BadRequest);
        await (await client.GetAsync("/api/v1/folders/root?page=0")).ProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_cached_listing_changes_as_soon_as_the_folder_does()
    {
        var client = api.CreateClient().As(await api.CreateClient().RegisterAsync());
        var parent = await CreateAsync(client, "Parent");
        Assert.Empty(Names(await (await client.GetAsync($"/api/v1/folders/{parent}")).JsonAsync(HttpStatusCode.OK)));

        var child = await CreateAsync(client, "Child", parent);
        Assert.Equal(["Child"], Names(await (await client.GetAsync($"/api/v1/folders/{parent}")).JsonAsync(HttpStatusCode.OK)));

        await (await client.PatchAsJsonAsync($"/api/v1/folders/{child}", new { name = "Renamed" })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(["Renamed"], Names(await (await client.GetAsync($"/api/v1/folders/{parent}")).JsonAsync(HttpStatusCode.OK)));

        await (await client.PatchAsJsonAsync($"/api/v1/folders/{child}", new { parentId = "root" })).JsonAsync(HttpStatusCode.OK);
        Assert.Empty(Names(await (await client.GetAsync($"/api/v1/folders/{parent}")).JsonAsync(HttpStatusCode.OK)));
        Assert.Equal(["Parent", "Renamed"], Names(await (await client.GetAsync("/api/v1/folders/root")).JsonAsync(HttpStatusCode.OK)));
    }

    [Fact]
    public async Task Another_users_folders_answer_404()
    {
        var owner = api.CreateClient().As(await api.CreateClient().RegisterAsync());
        var stranger = api.CreateClient().As(await api.CreateClient().RegisterAsync());
        var secret = await CreateAsync(owner, "Private");

        await (await stranger.GetAsync($"/api/v1/folders/{secret}")).ProblemAsync(HttpStatusCode.NotFound);
        await (await stranger.PatchAsJsonAsync($"/api/v1/folders/{secret}", new { name = "Mine now" })).ProblemAsync(HttpStatusCode.NotFound);
        await (await stranger.DeleteAsync($"/api/v1/folders/{secret}")).ProblemAsync(HttpStatusCode.NotFound);
        await (await stranger.PostAsJsonAsync("/api/v1/folders", new { name = "Inside", parentId = secret })).ProblemAsync(HttpStatusCode.NotFound);

        var mine = await CreateAsync(stranger, "Mine");
        await (await stranger.PatchAsJsonAsync($"/api/v1/folders/{mine}", new { parentId = secret })).ProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(["Private"], Names(await (await owner.GetAsync("/api/v1/folders/root")).JsonAsync(HttpStatusCode.OK)));
    }

    [Fact]
    public async Task With_redis_down_folders_are_still_served_from_the_store()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        await using var isolated = new ApiFactory(new Dictionary<string, string?> { ["REDIS_URL"] = redis.Url });
        var client = isolated.CreateClient().As(await isolated.CreateClient().RegisterAsync());
        var before = await CreateAsync(client, "Before");
        Assert.Equal(["Before"], Names(await (await client.GetAsync("/api/v1/folders/root")).JsonAsync(HttpStatusCode.OK)));

        await redis.StopAsync();

        await CreateAsync(client, "During");
        Assert.Equal(["Before", "During"], Names(await (await client.GetAsync("/api/v1/folders/root")).JsonAsync(HttpStatusCode.OK)));
        await (await client.PatchAsJsonAsync($"/api/v1/folders/{before}", new { name = "Renamed" })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(["During", "Renamed"], Names(await (await client.GetAsync("/api/v1/folders/root")).JsonAsync(HttpStatusCode.OK)));

        using var health = await client.GetAsync("/api/v1/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        var body = await health.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("degraded", body.GetProperty("status").GetString());
        Assert.Equal("degraded", body.GetProperty("checks").GetProperty("redis").GetProperty("status").GetString());
    }

    private static async Task<string> CreateAsync(HttpClient client, string name, string? parentId = null)
    {
        using var response = await client.PostAsJsonAsync("/api/v1/folders", new { name, parentId });
        var folder = await response.JsonAsync(HttpStatusCode.Created);
        Assert.Equal($"/api/v1/folders/{folder.GetProperty("id").GetString()}", response.Headers.Location?.OriginalString);
        return folder.GetProperty("id").GetString()!;
    }

    private static List<string?> Names(JsonElement listing)
        => [.. listing.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("name").GetString())];
}

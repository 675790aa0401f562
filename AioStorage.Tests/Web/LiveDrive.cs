using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using AioStorage.Tests.Infrastructure;
using AioStorage.Web.Auth;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace AioStorage.Tests.Web;

/// <summary>
/// The web pointed at the real api, started once per test class. Tests sign up their own users, so they do not see
/// each other's folders. Browsers reach the api directly too (uploads and downloads do not pass through the web), so
/// the api allows the web's origin, as CORS_ORIGINS does in a deployment.
/// </summary>
public class LiveDrive : IAsyncLifetime
{
    public const string Password = "correct horse battery";
    public const string FirefoxOnWindows = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0";

    /// <summary>Small chunks, so a file of a few megabytes takes several requests, as one of gigabytes would at the default.</summary>
    public const int ChunkSize = 1024 * 1024;

    private readonly IDictionary<string, string?> apiSettings;
    private WebUnderTest? web;

    public LiveDrive()
        : this(new Dictionary<string, string?>())
    {
    }

    /// <param name="apiSettings">More settings for the api (a small quota, say).</param>
    protected LiveDrive(IDictionary<string, string?> apiSettings) => this.apiSettings = apiSettings;

    public LiveApi Api { get; private set; } = default!;

    public WebUnderTest Web => web ?? throw new InvalidOperationException("The web has not started.");

    public virtual Task InitializeAsync()
    {
        // The api must know the web's origin before either starts: a port is chosen first and the web listens on it.
        var webPort = FreePort();
        var settings = new Dictionary<string, string?>(apiSettings) { ["CORS_ORIGINS"] = $"http://127.0.0.1:{webPort}" };
        Api = LiveApi.Start(settings);
        web = WebUnderTest.Start(Api.Address, Api.Address, webPort, new Dictionary<string, string?>
        {
            ["UPLOAD_CHUNK_SIZE"] = ChunkSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        return Task.CompletedTask;
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public virtual async Task DisposeAsync()
    {
        if (web is not null)
        {
            await web.DisposeAsync();
        }

        await Api.DisposeAsync();
    }

    /// <summary>Signs a new user up through the api (not the web), from a device named by <paramref name="userAgent"/>.</summary>
    public async Task<LiveAccount> RegisterAsync(string? userAgent = FirefoxOnWindows)
    {
        var username = "u" + Guid.NewGuid().ToString("N")[..10];
        var email = $"{username}@example.test";
        using var client = Api.NewClient(userAgent);
        using var response = await client.PostAsJsonAsync("api/v1/auth/register", new { username, email, password = Password });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"register answered {(int)response.StatusCode}: {body}");
        var token = JsonDocument.Parse(body).RootElement.GetProperty("token").GetString()!;
        return new LiveAccount(this, username, email, token, body);
    }

    /// <summary>
    /// A browser already signed in as <paramref name="account"/>: its session is put in local storage the way the web
    /// stores one (protected with the web's keys), which skips the sign-in form where a test is about something else.
    /// </summary>
    public Task<IPage> SignedInPageAsync(BrowserFixture browser, LiveAccount account, int width = 1280, int height = 860,
        ColorScheme colorScheme = ColorScheme.Light)
    {
        var stored = Web.Services.GetRequiredService<IDataProtectionProvider>()
            .CreateProtector(UserSession.ProtectionPurpose)
            .Protect(account.SessionJson);
        var state = JsonSerializer.Serialize(new
        {
            cookies = Array.Empty<object>(),
            origins = new[]
            {
                new
                {
                    origin = Web.Address.GetLeftPart(UriPartial.Authority),
                    localStorage = new[] { new { name = UserSession.StorageKey, value = stored } },
                },
            },
        });
        return browser.NewPageAsync(Web.Address, width, height, colorScheme, state);
    }

    /// <summary>The token the web keeps for this browser, read back from local storage; null when signed out.</summary>
    public async Task<string?> StoredTokenAsync(IPage page)
    {
        var stored = await page.EvaluateAsync<string?>($"() => localStorage.getItem('{UserSession.StorageKey}')");
        if (stored is null)
        {
            return null;
        }

        var json = Web.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector(UserSession.ProtectionPurpose).Unprotect(stored);
        return JsonDocument.Parse(json).RootElement.GetProperty("token").GetString();
    }

    public async Task<HttpStatusCode> MeStatusAsync(string token)
    {
        using var client = Api.NewClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.GetAsync("api/v1/auth/me");
        return response.StatusCode;
    }
}

/// <summary>A user of the live api, with a token of their own to arrange folders without the browser.</summary>
public sealed record LiveAccount(LiveDrive Drive, string Username, string Email, string Token, string SessionJson)
{
    public string UserId => JsonDocument.Parse(SessionJson).RootElement.GetProperty("user").GetProperty("id").GetString()!;

    public HttpClient Client(string? userAgent = LiveDrive.FirefoxOnWindows)
    {
        var client = Drive.Api.NewClient(userAgent);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return client;
    }

    public async Task<string> CreateFolderAsync(string name, string? parentId = null)
    {
        using var client = Client();
        using var response = await client.PostAsJsonAsync("api/v1/folders", new { name, parentId });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"create folder answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>Signs in once more, from another device: one more session of the same account.</summary>
    public async Task<string> SignInElsewhereAsync(string userAgent)
    {
        using var client = Drive.Api.NewClient(userAgent);
        using var response = await client.PostAsJsonAsync("api/v1/auth/login", new { email = Email, password = LiveDrive.Password });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"login answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("token").GetString()!;
    }

    /// <summary><c>GET /folders/{id}</c>: the status, and the listing when there is one.</summary>
    public async Task<(HttpStatusCode Status, JsonElement Body)> FolderAsync(string id, string query = "")
    {
        using var client = Client();
        using var response = await client.GetAsync($"api/v1/folders/{id}{query}");
        var body = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(body.Length == 0 ? "null" : body).RootElement.Clone());
    }

    /// <summary>A plain multipart upload through the api, for tests that need a file to be there already.</summary>
    public async Task<JsonElement> UploadAsync(string name, byte[] content, string? folderId = null)
    {
        using var client = Client();
        using var form = new MultipartFormDataContent();
        if (folderId is not null)
        {
            form.Add(new StringContent(folderId), "folderId");
        }

        form.Add(new ByteArrayContent(content), "file", name);
        using var response = await client.PostAsync("api/v1/files/upload", form);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"upload answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>The file's bytes as the api serves them to its owner.</summary>
    public async Task<byte[]> DownloadAsync(string fileId)
    {
        using var client = Client();
        using var response = await client.GetAsync($"api/v1/files/{fileId}/download");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsByteArrayAsync();
    }

    /// <summary>The items of a folder (<c>"root"</c> for the top) as the api lists them.</summary>
    public async Task<JsonElement[]> ItemsInAsync(string id)
    {
        var (status, body) = await FolderAsync(id, "?limit=200");
        Assert.Equal(HttpStatusCode.OK, status);
        return [.. body.GetProperty("items").EnumerateArray()];
    }

    public async Task<JsonElement> MeAsync()
    {
        using var client = Client();
        return JsonDocument.Parse(await client.GetStringAsync("api/v1/auth/me")).RootElement.Clone();
    }

    public async Task<JsonElement[]> TrashAsync()
    {
        using var client = Client();
        var body = JsonDocument.Parse(await client.GetStringAsync("api/v1/trash?limit=200")).RootElement.Clone();
        return [.. body.GetProperty("items").EnumerateArray()];
    }

    public async Task<JsonElement[]> VersionsAsync(string fileId)
    {
        using var client = Client();
        var body = JsonDocument.Parse(await client.GetStringAsync($"api/v1/files/{fileId}/versions")).RootElement.Clone();
        return [.. body.GetProperty("items").EnumerateArray()];
    }

    public async Task<string[]> NamesInAsync(string id)
    {
        var (status, body) = await FolderAsync(id, "?limit=200");
        Assert.Equal(HttpStatusCode.OK, status);
        return [.. body.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("name").GetString()!)];
    }
}

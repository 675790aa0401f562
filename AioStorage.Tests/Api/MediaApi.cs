using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using AioStorage.Tests.Uploads;

namespace AioStorage.Tests.Api;

/// <summary>
/// One api and one set of ffmpeg-made products for a test class; each test signs up its own users. The api listens on a
/// real Kestrel port: requests arrive as a player's would, with the server's own handling of odd paths.
/// </summary>
public sealed class MediaApi : IAsyncLifetime
{
    public ApiFactory Api { get; } = new KestrelApiFactory();

    public MediaProducts Products { get; } = new();

    public async Task InitializeAsync()
    {
        Api.StartServer();
        await Products.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await Api.DisposeAsync();
        await Products.DisposeAsync();
    }

    public async Task<(HttpClient Client, ApiClient.Account Account)> UserAsync()
    {
        var account = await Api.CreateClient().RegisterAsync();
        return (Api.CreateClient().As(account), account);
    }

    /// <summary>A plain multipart upload; the file record as the api answers it.</summary>
    public static async Task<JsonElement> UploadAsync(HttpClient client, string name, byte[] content, string contentType = "application/octet-stream")
    {
        using var form = new MultipartFormDataContent();
        var part = new ByteArrayContent(content);
        part.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        form.Add(part, "file", name);
        using var response = await client.PostAsync("/api/v1/files/upload", form);
        return await response.JsonAsync(HttpStatusCode.Created);
    }

    /// <summary>An uploaded copy of the generated clip, with every product published as the worker would.</summary>
    public async Task<JsonElement> ReadyVideoAsync(HttpClient client, string name = "clip.mp4")
    {
        var file = await UploadAsync(client, name, await File.ReadAllBytesAsync(Products.SourcePath), "video/mp4");
        await Products.PublishAsync(Api, file.GetProperty("id").GetString()!, file.GetProperty("sha256").GetString()!, MediaProducts.VideoInfo());
        return file;
    }
}

using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using AioStorage.Tests.Api;
using Microsoft.AspNetCore.Mvc.Testing;

namespace AioStorage.Tests.Uploads;

/// <summary>A hand-written tus 1.0.0 client, request by request, so the tests can send exactly what they mean to.</summary>
internal static class Tus
{
    public const string Endpoint = "/api/v1/uploads";
    public const string OffsetOctetStream = "application/offset+octet-stream";

    /// <summary>
    /// A client that streams request bodies to the api as they are written. The factory's default client follows
    /// redirects, and to replay a body on a redirect it reads the whole body first: a body paused or broken off half-way
    /// would never reach the server.
    /// </summary>
    public static HttpClient StreamingClient(this ApiFactory api)
    {
        using var usual = api.CreateClient();
        return api.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = usual.BaseAddress! });
    }

    public static HttpRequestMessage Request(HttpMethod method, string url, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, url) { Content = content };
        request.Headers.Add("Tus-Resumable", "1.0.0");
        return request;
    }

    public static string Metadata(params (string Key, string? Value)[] pairs)
        => string.Join(',', pairs.Select(p => p.Value is null ? p.Key : $"{p.Key} {Convert.ToBase64String(Encoding.UTF8.GetBytes(p.Value))}"));

    public static async Task<HttpResponseMessage> CreateAsync(this HttpClient client, long length, string? metadata = null, HttpContent? body = null)
    {
        using var request = Request(HttpMethod.Post, Endpoint, body);
        request.Headers.Add("Upload-Length", length.ToString(CultureInfo.InvariantCulture));
        if (metadata is not null)
        {
            request.Headers.Add("Upload-Metadata", metadata);
        }

        return await client.SendAsync(request);
    }

    /// <summary>Creates an upload and returns its URL (the Location, an absolute path).</summary>
    public static async Task<string> CreateUploadAsync(this HttpClient client, long length, string name = "file.bin")
    {
        using var response = await client.CreateAsync(length, Metadata(("filename", name)));
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"creation answered {response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return response.Headers.Location!.OriginalString;
    }

    public static ByteArrayContent Bytes(ReadOnlySpan<byte> bytes)
    {
        var content = new ByteArrayContent(bytes.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue(OffsetOctetStream);
        return content;
    }

    public static async Task<HttpResponseMessage> PatchAsync(this HttpClient client, string url, long offset, HttpContent content, string? checksum = null,
        CancellationToken cancellationToken = default)
    {
        using var request = Request(HttpMethod.Patch, url, content);
        request.Headers.Add("Upload-Offset", offset.ToString(CultureInfo.InvariantCulture));
        if (checksum is not null)
        {
            request.Headers.Add("Upload-Checksum", checksum);
        }

        return await client.SendAsync(request, cancellationToken);
    }

    public static Task<HttpResponseMessage> PatchAsync(this HttpClient client, string url, long offset, ReadOnlySpan<byte> bytes, string? checksum = null)
        => client.PatchAsync(url, offset, Bytes(bytes), checksum);

    public static async Task<HttpResponseMessage> HeadAsync(this HttpClient client, string url)
    {
        using var request = Request(HttpMethod.Head, url);
        return await client.SendAsync(request);
    }

    public static async Task<HttpResponseMessage> DeleteUploadAsync(this HttpClient client, string url)
    {
        using var request = Request(HttpMethod.Delete, url);
        return await client.SendAsync(request);
    }

    /// <summary>The offset a HEAD reports (asserting it answered 200).</summary>
    public static async Task<long> OffsetAsync(this HttpClient client, string url)
    {
        using var head = await client.HeadAsync(url);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        return head.Offset();
    }

    public static long Offset(this HttpResponseMessage response) => long.Parse(response.Header("Upload-Offset")!, CultureInfo.InvariantCulture);

    public static string? Header(this HttpResponseMessage response, string name)
        => response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values) ? string.Join(",", values) : null;

    public static string Checksum(string algorithm, ReadOnlySpan<byte> bytes)
        => $"{algorithm} {Convert.ToBase64String(algorithm == "sha1" ? SHA1.HashData(bytes) : SHA256.HashData(bytes))}";

    public static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    public static string IdOf(string url) => url[(url.LastIndexOf('/') + 1)..];
}

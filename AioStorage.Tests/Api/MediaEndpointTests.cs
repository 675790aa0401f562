using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AioStorage.Core.Media;
using AioStorage.Core.Metadata;
using Microsoft.Extensions.DependencyInjection;

namespace AioStorage.Tests.Api;

/// <summary>The media routes against the real api, serving products made by the real ffmpeg.</summary>
public sealed class MediaEndpointTests(MediaApi media) : IClassFixture<MediaApi>
{
    private ApiFactory Api => media.Api;

    private MediaProducts Products => media.Products;

    [Fact]
    public async Task Every_product_is_served_with_its_type_etag_and_cache_policy()
    {
        var (client, _) = await media.UserAsync();
        var file = await media.ReadyVideoAsync(client);
        var id = file.GetProperty("id").GetString();
        var sha = file.GetProperty("sha256").GetString();

        var expected = new (string Route, string Type, string Product, string Stored)[]
        {
            ("thumbnail", "image/webp", "thumb-512", "thumb-512.webp"),
            ("thumbnail?size=128", "image/webp", "thumb-128", "thumb-128.webp"),
            ("thumbnail?size=small", "image/webp", "thumb-128", "thumb-128.webp"),
            ("thumbnail?size=medium", "image/webp", "thumb-512", "thumb-512.webp"),
            ("thumbnail?size=1024", "image/webp", "thumb-1024", "thumb-1024.webp"),
            ("thumbnail?size=LARGE", "image/webp", "thumb-1024", "thumb-1024.webp"),
            ("poster", "image/jpeg", "poster", "poster.jpg"),
            ("stream/master.m3u8", "application/vnd.apple.mpegurl", "hls/master.m3u8", "hls/master.m3u8"),
            ("stream/240p/index.m3u8", "application/vnd.apple.mpegurl", "hls/240p/index.m3u8", "hls/240p/index.m3u8"),
            ("stream/120p/segment-001.ts", "video/mp2t", "hls/120p/segment-001.ts", "hls/120p/segment-001.ts"),
            ("stream/video.mp4", "video/mp4", "video.mp4", "video.mp4"),
        };
        foreach (var (route, type, product, stored) in expected)
        {
            using var response = await client.GetAsync($"/api/v1/files/{id}/{route}");
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{route}: {response.StatusCode}");
            Assert.Equal(type, response.Content.Headers.ContentType?.MediaType);
            Assert.Equal($"\"{sha}-{product}\"", response.Headers.ETag?.ToString());
            Assert.Equal("bytes", response.Headers.AcceptRanges.Single());
            // Without v the same URL serves the next content after a new upload, so it is revalidated every time.
            Assert.True(response.Headers.CacheControl is { Private: true, NoCache: true }, $"{route}: {response.Headers.CacheControl}");
            Assert.NotNull(response.Content.Headers.LastModified);
            // With a bearer token the playlists are exactly what the worker wrote.
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(Products.Products, stored)), await response.Content.ReadAsByteArrayAsync());
        }

        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/api/v1/files/{id}/stream/video.mp4"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(new FileInfo(Path.Combine(Products.Products, "video.mp4")).Length, head.Content.Headers.ContentLength);
    }

    [Fact]
    public async Task Segments_and_the_mp4_answer_ranges_and_revalidation()
    {
        var (client, _) = await media.UserAsync();
        var id = (await media.ReadyVideoAsync(client)).GetProperty("id").GetString();

        foreach (var (route, stored) in new[] { ("stream/video.mp4", "video.mp4"), ("stream/240p/segment-000.ts", "hls/240p/segment-000.ts") })
        {
            var bytes = await File.ReadAllBytesAsync(Path.Combine(Products.Products, stored));
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/files/{id}/{route}");
            request.Headers.Range = new RangeHeaderValue(100, 1099);
            using var partial = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
            Assert.Equal($"bytes 100-1099/{bytes.Length}", partial.Content.Headers.ContentRange?.ToString());
            Assert.Equal(bytes[100..1100], await partial.Content.ReadAsByteArrayAsync());

            using var tail = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/files/{id}/{route}");
            tail.Headers.Range = new RangeHeaderValue(null, 188);
            using var last = await client.SendAsync(tail);
            Assert.Equal(bytes[^188..], await last.Content.ReadAsByteArrayAsync());

            using var first = await client.GetAsync($"/api/v1/files/{id}/{route}");
            using var again = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/files/{id}/{route}");
            again.Headers.IfNoneMatch.Add(first.Headers.ETag!);
            using var notModified = await client.SendAsync(again);
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
            Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
        }
    }

    [Theory]
    [InlineData("256")]
    [InlineData("huge")]
    [InlineData("-128")]
    [InlineData("512px")]
    public async Task A_thumbnail_size_other_than_the_three_is_a_400_problem(string size)
    {
        var (client, _) = await media.UserAsync();
        var id = (await media.ReadyVideoAsync(client)).GetProperty("id").GetString();

        var problem = await (await client.GetAsync($"/api/v1/files/{id}/thumbnail?size={size}")).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal("size is 128, 512 or 1024 (or small, medium, large).", problem.GetProperty("errors").GetProperty("size")[0].GetString());
    }

    [Fact]
    public async Task A_missing_product_is_a_404_that_says_why()
    {
        var (client, _) = await media.UserAsync();
        var pending = await MediaApi.UploadAsync(client, "holiday.mp4", Unique("not yet processed"), "video/mp4");
        var pendingId = pending.GetProperty("id").GetString();
        Assert.Equal("No thumbnail yet: the file is still being processed.", await DetailAsync(client, $"/api/v1/files/{pendingId}/thumbnail"));
        Assert.Equal("No poster yet: the file is still being processed.", await DetailAsync(client, $"/api/v1/files/{pendingId}/poster"));
        Assert.Equal("The video is still being processed: it can be played once it has been transcoded.",
            await DetailAsync(client, $"/api/v1/files/{pendingId}/stream/master.m3u8"));

        var text = await MediaApi.UploadAsync(client, "notes.txt", Unique("plain text"), "text/plain");
        await Products.PublishAsync(Api, text.GetProperty("id").GetString()!, text.GetProperty("sha256").GetString()!,
            new MediaInfo("text/plain", null, null, null, null, null, null));
        var textId = text.GetProperty("id").GetString();
        Assert.Equal("This file has no video stream.", await DetailAsync(client, $"/api/v1/files/{textId}/stream/master.m3u8"));
        Assert.Equal("This file has no video stream.", await DetailAsync(client, $"/api/v1/files/{textId}/stream/video.mp4"));
        Assert.Equal("This file has no video stream.", await DetailAsync(client, $"/api/v1/files/{textId}/stream/240p/index.m3u8"));
        Assert.Equal("This file has no video stream, so it has no poster frame.", await DetailAsync(client, $"/api/v1/files/{textId}/poster"));
        Assert.Equal("This file has no thumbnail: only images and videos get one.", await DetailAsync(client, $"/api/v1/files/{textId}/thumbnail"));

        var corrupt = await MediaApi.UploadAsync(client, "broken.mp4", Unique("corrupt video"), "video/mp4");
        await Products.PublishAsync(Api, corrupt.GetProperty("id").GetString()!, corrupt.GetProperty("sha256").GetString()!, null,
            FileStatus.Failed, "ffprobe found no audio or video stream.");
        var corruptId = corrupt.GetProperty("id").GetString();
        Assert.Equal("This file cannot be streamed: processing failed. ffprobe found no audio or video stream.",
            await DetailAsync(client, $"/api/v1/files/{corruptId}/stream/master.m3u8"));
        Assert.Equal("This file has no thumbnail: processing failed. ffprobe found no audio or video stream.",
            await DetailAsync(client, $"/api/v1/files/{corruptId}/thumbnail"));

        // A video whose thumbnails and poster exist but whose transcode has not finished yet.
        var transcoding = await MediaApi.UploadAsync(client, "long.mp4", Unique("being transcoded"), "video/mp4");
        await Products.PublishAsync(Api, transcoding.GetProperty("id").GetString()!, transcoding.GetProperty("sha256").GetString()!,
            MediaProducts.VideoInfo(stream: false, mp4: false));
        var transcodingId = transcoding.GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/v1/files/{transcodingId}/poster")).StatusCode);
        Assert.Equal("The video is not ready to stream yet: it is still being transcoded.",
            await DetailAsync(client, $"/api/v1/files/{transcodingId}/stream/video.mp4"));

        // The stream exists, the name does not.
        var ready = (await media.ReadyVideoAsync(client, "ready.mp4")).GetProperty("id").GetString();
        Assert.Equal("No such file in this video's stream.", await DetailAsync(client, $"/api/v1/files/{ready}/stream/240p/segment-999.ts"));
    }

    [Fact]
    public async Task Another_users_file_and_a_trashed_file_are_404_however_asked()
    {
        var (owner, _) = await media.UserAsync();
        var (stranger, _) = await media.UserAsync();
        var id = (await media.ReadyVideoAsync(owner)).GetProperty("id").GetString();
        var links = await LinksAsync(owner, id!);

        foreach (var route in new[] { "thumbnail", "poster", "stream/master.m3u8", "stream/240p/index.m3u8", "stream/240p/segment-000.ts", "stream/video.mp4" })
        {
            await (await stranger.GetAsync($"/api/v1/files/{id}/{route}")).ProblemAsync(HttpStatusCode.NotFound);
        }

        await (await stranger.PostAsync($"/api/v1/files/{id}/media-url", null)).ProblemAsync(HttpStatusCode.NotFound);

        Assert.Equal(HttpStatusCode.NoContent, (await owner.DeleteAsync($"/api/v1/files/{id}")).StatusCode);
        await (await owner.GetAsync($"/api/v1/files/{id}/thumbnail")).ProblemAsync(HttpStatusCode.NotFound);
        await (await owner.GetAsync($"/api/v1/files/{id}/stream/video.mp4")).ProblemAsync(HttpStatusCode.NotFound);
        await (await owner.PostAsync($"/api/v1/files/{id}/media-url", null)).ProblemAsync(HttpStatusCode.NotFound);
        var anonymous = Api.CreateClient();
        foreach (var link in new[] { "masterUrl", "mp4Url", "posterUrl", "thumbnailUrl" })
        {
            await (await anonymous.GetAsync(links.GetProperty(link).GetString())).ProblemAsync(HttpStatusCode.NotFound);
        }
    }

    [Theory]
    [InlineData("stream/../master.m3u8")]
    [InlineData("stream/%2e%2e/master.m3u8")]
    [InlineData("stream/240p/..")]
    [InlineData("stream/240p/%2e%2e%2fvideo.mp4")]
    [InlineData("stream/%2Fetc/passwd.ts")]
    [InlineData("stream/%2Fetc%2Fpasswd/index.m3u8")]
    [InlineData("stream/240p%5C..%5C..%5Cposter/index.m3u8")]
    [InlineData("stream/240p/..%5C..%5Cvideo.mp4")]
    [InlineData("stream/master.m3u8.bak")]
    [InlineData("stream/240p/index.m3u8.bak")]
    [InlineData("stream/240p/.index.m3u8")]
    [InlineData("stream/240p/index.txt")]
    [InlineData("stream/240p/segment-000.ts%20")]
    [InlineData("stream/240p/a/b.ts")]
    public async Task Names_that_could_leave_the_stream_folder_are_404(string route)
    {
        var (client, _) = await media.UserAsync();
        var id = (await media.ReadyVideoAsync(client)).GetProperty("id").GetString();

        // Sent exactly as written (HttpClient would otherwise resolve the dot segments itself), for Kestrel to make of it what it does.
        var url = new Uri($"{client.BaseAddress}api/v1/files/{id}/{route}", new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, url));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.NotEqual("video/mp4", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_signed_master_playlist_leads_a_player_through_every_rendition_and_segment_without_a_header()
    {
        var (client, _) = await media.UserAsync();
        var id = (await media.ReadyVideoAsync(client)).GetProperty("id").GetString()!;
        var links = await LinksAsync(client, id);
        var anonymous = Api.CreateClient();
        Assert.Null(anonymous.DefaultRequestHeaders.Authorization);

        var playlists = new List<string>();
        var segments = new List<string>();
        var pending = new Queue<Uri>([new Uri(anonymous.BaseAddress!, links.GetProperty("masterUrl").GetString())]);
        while (pending.TryDequeue(out var url))
        {
            using var response = await anonymous.GetAsync(url);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {response.StatusCode}");
            Assert.Equal("private, max-age=86400, immutable", response.Headers.NonValidated["Cache-Control"].ToString());
            var relative = url.AbsolutePath[(url.AbsolutePath.IndexOf("/stream/", StringComparison.Ordinal) + "/stream/".Length)..];
            if (response.Content.Headers.ContentType?.MediaType == "application/vnd.apple.mpegurl")
            {
                playlists.Add(relative);
                var uris = (await response.Content.ReadAsStringAsync()).Split('\n')
                    .Where(line => line.Length > 0 && !line.StartsWith('#')).ToList();
                Assert.NotEmpty(uris);
                Assert.All(uris, uri => Assert.Matches("^[^/?]+(/[^/?]+)?\\?v=[0-9a-f]{16}&uid=[^&]+&exp=\\d+&sig=[A-Za-z0-9_-]+$", uri));
                foreach (var uri in uris)
                {
                    pending.Enqueue(new Uri(url, uri));
                }
            }
            else
            {
                Assert.Equal("video/mp2t", response.Content.Headers.ContentType?.MediaType);
                segments.Add(relative);
                Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(Products.Products, "hls", relative)), await response.Content.ReadAsByteArrayAsync());
            }
        }

        Assert.Equal(["master.m3u8", "240p/index.m3u8", "120p/index.m3u8"], playlists);
        Assert.Equal(["240p/segment-000.ts", "240p/segment-001.ts", "120p/segment-000.ts", "120p/segment-001.ts"], segments);

        foreach (var (link, type, stored) in new[] { ("mp4Url", "video/mp4", "video.mp4"), ("posterUrl", "image/jpeg", "poster.jpg"), ("thumbnailUrl", "image/webp", "thumb-512.webp") })
        {
            using var response = await anonymous.GetAsync(links.GetProperty(link).GetString());
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(type, response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(Products.Products, stored)), await response.Content.ReadAsByteArrayAsync());
        }

        // The size is not signed: the same thumbnail link gives every size.
        using var large = await anonymous.GetAsync(links.GetProperty("thumbnailUrl").GetString()!.Replace("size=512", "size=1024", StringComparison.Ordinal));
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(Products.Products, "thumb-1024.webp")), await large.Content.ReadAsByteArrayAsync());

        // A ranged request through a signed link, as a <video> element seeking in the MP4 sends it.
        using var seek = new HttpRequestMessage(HttpMethod.Get, links.GetProperty("mp4Url").GetString());
        seek.Headers.Range = new RangeHeaderValue(1000, null);
        using var partial = await anonymous.SendAsync(seek);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);

        // Neither a signature nor a token: 401.
        await (await anonymous.GetAsync($"/api/v1/files/{id}/stream/master.m3u8")).ProblemAsync(HttpStatusCode.Unauthorized);
        await (await anonymous.GetAsync($"/api/v1/files/{id}/thumbnail")).ProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Media_links_say_when_they_expire_and_name_only_products_that_exist()
    {
        var (client, account) = await media.UserAsync();
        var id = (await media.ReadyVideoAsync(client)).GetProperty("id").GetString()!;
        var now = Api.Time.GetUtcNow();

        var links = await LinksAsync(client, id);
        var expiresAt = links.GetProperty("expiresAt").GetDateTimeOffset();
        Assert.InRange(expiresAt, now + TimeSpan.FromHours(6), now + TimeSpan.FromHours(7));
        Assert.Equal(0, expiresAt.ToUnixTimeSeconds() % 3600);
        Assert.StartsWith($"/api/v1/files/{id}/stream/master.m3u8?v=", links.GetProperty("masterUrl").GetString());
        Assert.Contains($"&uid={account.Id}&exp={expiresAt.ToUnixTimeSeconds()}&sig=", links.GetProperty("masterUrl").GetString());
        Assert.StartsWith($"/api/v1/files/{id}/stream/video.mp4?", links.GetProperty("mp4Url").GetString());
        Assert.StartsWith($"/api/v1/files/{id}/poster?", links.GetProperty("posterUrl").GetString());
        Assert.StartsWith($"/api/v1/files/{id}/thumbnail?size=512&v=", links.GetProperty("thumbnailUrl").GetString());

        // Asked again within the hour: the same links, so the browser's cache keeps working.
        Assert.Equal(links.GetRawText(), (await LinksAsync(client, id)).GetRawText());

        var image = await MediaApi.UploadAsync(client, "still.png", await File.ReadAllBytesAsync(Products.ImagePath), "image/png");
        await Products.PublishAsync(Api, image.GetProperty("id").GetString()!, image.GetProperty("sha256").GetString()!, MediaProducts.ImageInfo());
        var imageLinks = await LinksAsync(client, image.GetProperty("id").GetString()!);
        Assert.Equal(JsonValueKind.Null, imageLinks.GetProperty("masterUrl").ValueKind);
        Assert.Equal(JsonValueKind.Null, imageLinks.GetProperty("mp4Url").ValueKind);
        Assert.Equal(JsonValueKind.Null, imageLinks.GetProperty("posterUrl").ValueKind);
        Assert.Equal(HttpStatusCode.OK, (await Api.CreateClient().GetAsync(imageLinks.GetProperty("thumbnailUrl").GetString())).StatusCode);
    }

    [Fact]
    public async Task Tampered_misused_and_expired_links_are_403()
    {
        await using var api = new ApiFactory();
        var account = await api.CreateClient().RegisterAsync();
        var client = api.CreateClient().As(account);
        var other = await api.CreateClient().RegisterAsync();
        var file = await MediaApi.UploadAsync(client, "clip.mp4", await File.ReadAllBytesAsync(Products.SourcePath), "video/mp4");
        var id = file.GetProperty("id").GetString()!;
        await Products.PublishAsync(api, id, file.GetProperty("sha256").GetString()!, MediaProducts.VideoInfo());
        var second = await MediaApi.UploadAsync(client, "second.mp4", Unique("another file"), "video/mp4");
        var links = await LinksAsync(client, id);
        var anonymous = api.CreateClient();
        var master = links.GetProperty("masterUrl").GetString()!;
        var sig = master[(master.IndexOf("&sig=", StringComparison.Ordinal) + 5)..];
        var exp = long.Parse(master.Split("&exp=")[1].Split('&')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(master)).StatusCode);

        var flipped = sig[..^1] + (sig[^1] == 'A' ? 'B' : 'A');
        var tampered = new Dictionary<string, string>
        {
            ["signature changed"] = master.Replace(sig, flipped, StringComparison.Ordinal),
            ["user changed"] = master.Replace($"uid={account.Id}", $"uid={other.Id}", StringComparison.Ordinal),
            ["expiry moved"] = master.Replace($"exp={exp}", $"exp={exp + 3600}", StringComparison.Ordinal),
            ["another file"] = master.Replace(id, second.GetProperty("id").GetString(), StringComparison.Ordinal),
            ["thumbnail link on the poster"] = links.GetProperty("thumbnailUrl").GetString()!.Replace("/thumbnail?size=512&", "/poster?", StringComparison.Ordinal),
            ["poster link on the stream"] = links.GetProperty("posterUrl").GetString()!.Replace("/poster?", "/stream/video.mp4?", StringComparison.Ordinal),
            ["media link as a download link"] = master.Replace("/stream/master.m3u8?", "/download?", StringComparison.Ordinal),
            ["signature missing"] = master[..master.IndexOf("&sig=", StringComparison.Ordinal)],
        };
        foreach (var (what, url) in tampered)
        {
            using var response = await anonymous.GetAsync(url);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{what}: {response.StatusCode}");
            await response.ProblemAsync(HttpStatusCode.Forbidden);
        }

        // A bearer token does not rescue a bad signature: a link is judged on its own.
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync(tampered["signature changed"])).StatusCode);

        api.Time.Advance(links.GetProperty("expiresAt").GetDateTimeOffset() - api.Time.GetUtcNow() - TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(links.GetProperty("posterUrl").GetString())).StatusCode);
        api.Time.Advance(TimeSpan.FromSeconds(1));
        foreach (var link in new[] { "masterUrl", "mp4Url", "posterUrl", "thumbnailUrl" })
        {
            var problem = await (await anonymous.GetAsync(links.GetProperty(link).GetString())).ProblemAsync(HttpStatusCode.Forbidden);
            Assert.StartsWith("The media link has expired.", problem.GetProperty("detail").GetString());
        }
    }

    [Fact]
    public async Task Listings_carry_the_media_facts_and_a_thumbnail_link_that_works_in_an_img()
    {
        var (client, _) = await media.UserAsync();
        var image = await MediaApi.UploadAsync(client, "still.png", await File.ReadAllBytesAsync(Products.ImagePath), "image/png");
        var imageId = image.GetProperty("id").GetString()!;
        var pending = await MediaApi.UploadAsync(client, "pending.jpg", Unique("not an image yet"), "image/jpeg");
        Assert.Equal(JsonValueKind.Null, pending.GetProperty("thumbnailUrl").ValueKind);
        Assert.Equal(JsonValueKind.Null, pending.GetProperty("media").ValueKind);
        await Products.PublishAsync(Api, imageId, image.GetProperty("sha256").GetString()!, MediaProducts.ImageInfo());

        var files = (await (await client.GetAsync("/api/v1/files")).JsonAsync(HttpStatusCode.OK)).GetProperty("items").EnumerateArray().ToList();
        var folder = (await (await client.GetAsync("/api/v1/folders/root")).JsonAsync(HttpStatusCode.OK)).GetProperty("items").EnumerateArray().ToList();
        var single = await (await client.GetAsync($"/api/v1/files/{imageId}")).JsonAsync(HttpStatusCode.OK);
        var listed = files.Single(f => f.GetProperty("id").GetString() == imageId);
        var url = listed.GetProperty("thumbnailUrl").GetString()!;
        Assert.StartsWith($"/api/v1/files/{imageId}/thumbnail?size=512&v=", url);
        Assert.Equal(url, folder.Single(f => f.GetProperty("id").GetString() == imageId).GetProperty("thumbnailUrl").GetString());
        Assert.Equal(url, single.GetProperty("thumbnailUrl").GetString());
        Assert.Equal(JsonValueKind.Null, files.Single(f => f.GetProperty("name").GetString() == "pending.jpg").GetProperty("thumbnailUrl").ValueKind);

        var facts = listed.GetProperty("media");
        Assert.Equal("image/png", facts.GetProperty("detectedMimeType").GetString());
        Assert.Equal(320, facts.GetProperty("width").GetInt32());
        Assert.Equal(240, facts.GetProperty("height").GetInt32());
        Assert.True(facts.GetProperty("hasThumbnails").GetBoolean());
        Assert.False(facts.GetProperty("hasPoster").GetBoolean());
        Assert.False(facts.GetProperty("hasStream").GetBoolean());
        Assert.False(facts.GetProperty("hasMp4").GetBoolean());
        Assert.Equal("ready", listed.GetProperty("status").GetString());

        // No bearer, as an <img> sends it; the URL names the content, so the browser may keep it.
        using var thumbnail = await Api.CreateClient().GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, thumbnail.StatusCode);
        Assert.Equal("image/webp", thumbnail.Content.Headers.ContentType?.MediaType);
        Assert.Equal("private, max-age=86400, immutable", thumbnail.Headers.NonValidated["Cache-Control"].ToString());
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(Products.Products, "thumb-512.webp")), await thumbnail.Content.ReadAsByteArrayAsync());

        // A new upload over the name makes new content: the listing's link changes and the old one says why it stopped.
        var replaced = await MediaApi.UploadAsync(client, "still.png", Unique("a new picture"), "image/png");
        Assert.Equal(imageId, replaced.GetProperty("id").GetString());
        Assert.Equal(JsonValueKind.Null, replaced.GetProperty("thumbnailUrl").ValueKind);
        Assert.Equal("The file's content has changed since this link was made: ask for a new link.", await DetailAsync(Api.CreateClient(), url));
        Assert.Equal("No thumbnail yet: the file is still being processed.", await DetailAsync(client, $"/api/v1/files/{imageId}/thumbnail"));
    }

    [Fact]
    public async Task A_file_shows_the_workers_progress_for_its_current_content_only()
    {
        var (client, _) = await media.UserAsync();
        var file = await MediaApi.UploadAsync(client, "film.mp4", Unique("a film"), "video/mp4");
        var id = file.GetProperty("id").GetString()!;
        var sha = file.GetProperty("sha256").GetString()!;
        Assert.Equal(JsonValueKind.Null, (await GetFileAsync(client, id)).GetProperty("processing").ValueKind);

        var progress = Api.Services.GetRequiredService<ProcessingProgressStore>();
        await progress.SetAsync(id, new ProcessingProgress(sha, "transcoding", 42.5, Api.Time.GetUtcNow()));
        var shown = (await GetFileAsync(client, id)).GetProperty("processing");
        Assert.Equal("transcoding", shown.GetProperty("stage").GetString());
        Assert.Equal(42.5, shown.GetProperty("percent").GetDouble());
        Assert.Equal("processing", (await GetFileAsync(client, id)).GetProperty("status").GetString());

        // Progress of another content (an earlier version still being worked on) is not this content's.
        await progress.SetAsync(id, new ProcessingProgress(new string('0', 64), "transcoding", 80, Api.Time.GetUtcNow()));
        Assert.Equal(JsonValueKind.Null, (await GetFileAsync(client, id)).GetProperty("processing").ValueKind);

        await progress.SetAsync(id, new ProcessingProgress(sha, "processing", 10, Api.Time.GetUtcNow()));
        Assert.Equal(10, (await GetFileAsync(client, id)).GetProperty("processing").GetProperty("percent").GetDouble());
        await progress.ClearAsync(id);
        Assert.Equal(JsonValueKind.Null, (await GetFileAsync(client, id)).GetProperty("processing").ValueKind);
    }

    [Fact]
    public async Task The_openapi_document_describes_every_media_route()
    {
        var document = await Api.CreateClient().GetFromJsonAsync<JsonElement>("/api/v1/openapi.json");
        var paths = document.GetProperty("paths");
        var expected = new (string Path, string Method, string Name)[]
        {
            ("/api/v1/files/{id}/thumbnail", "get", "GetThumbnail"),
            ("/api/v1/files/{id}/poster", "get", "GetPoster"),
            ("/api/v1/files/{id}/stream/master.m3u8", "get", "GetStreamMasterPlaylist"),
            ("/api/v1/files/{id}/stream/{rendition}/{file}", "get", "GetStreamFile"),
            ("/api/v1/files/{id}/stream/video.mp4", "get", "GetStreamMp4"),
            ("/api/v1/files/{id}/media-url", "post", "CreateMediaUrls"),
        };
        foreach (var (path, method, name) in expected)
        {
            var operation = paths.GetProperty(path).GetProperty(method);
            Assert.Equal(name, operation.GetProperty("operationId").GetString());
            Assert.Equal("Media", operation.GetProperty("tags")[0].GetString());
            Assert.False(string.IsNullOrWhiteSpace(operation.GetProperty("summary").GetString()));
        }
    }

    private async Task<JsonElement> LinksAsync(HttpClient client, string id)
        => await (await client.PostAsync($"/api/v1/files/{id}/media-url", null)).JsonAsync(HttpStatusCode.OK);

    private static async Task<JsonElement> GetFileAsync(HttpClient client, string id)
        => await (await client.GetAsync($"/api/v1/files/{id}")).JsonAsync(HttpStatusCode.OK);

    private static async Task<string?> DetailAsync(HttpClient client, string url)
        => (await (await client.GetAsync(url)).ProblemAsync(HttpStatusCode.NotFound)).GetProperty("detail").GetString();

    /// <summary>Content no other test has, so it gets its own hash and no products.</summary>
    private static byte[] Unique(string text) => Encoding.UTF8.GetBytes($"{text} {Guid.NewGuid():N}");
}

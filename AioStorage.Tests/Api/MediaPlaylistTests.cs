using AioStorage.Api.Http;

namespace AioStorage.Tests.Api;

/// <summary>The signed query reaches every relative URI of a playlist, and nothing else.</summary>
public sealed class MediaPlaylistTests
{
    private const string Query = "v=0123456789abcdef&uid=u1&exp=1700000000&sig=abc_-";

    [Fact]
    public void A_master_playlists_variant_and_media_uris_get_the_query()
    {
        const string master = """
            #EXTM3U
            #EXT-X-VERSION:6
            #EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aac",NAME="English",DEFAULT=YES,URI="audio/index.m3u8"
            #EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360,CODECS="avc1.4d401e,mp4a.40.2",AUDIO="aac"
            360p/index.m3u8

            #EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=90000,URI="360p/iframes.m3u8"
            """;

        Assert.Equal("""
            #EXTM3U
            #EXT-X-VERSION:6
            #EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aac",NAME="English",DEFAULT=YES,URI="audio/index.m3u8?v=0123456789abcdef&uid=u1&exp=1700000000&sig=abc_-"
            #EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360,CODECS="avc1.4d401e,mp4a.40.2",AUDIO="aac"
            360p/index.m3u8?v=0123456789abcdef&uid=u1&exp=1700000000&sig=abc_-

            #EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=90000,URI="360p/iframes.m3u8?v=0123456789abcdef&uid=u1&exp=1700000000&sig=abc_-"

            """.ReplaceLineEndings("\n"), HlsPlaylists.AppendQuery(master, Query));
    }

    [Fact]
    public void A_media_playlists_segments_and_init_section_get_the_query_and_comments_do_not()
    {
        const string media = "#EXTM3U\r\n#EXT-X-TARGETDURATION:2\r\n#EXT-X-MAP:URI=\"init.mp4\"\r\n# a comment naming segment-000.m4s\r\n"
            + "#EXTINF:2.000,\r\nsegment-000.m4s\r\n#EXTINF:2.000,\r\n  segment-001.m4s?part=1  \r\n#EXT-X-ENDLIST\r\n";

        Assert.Equal("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MAP:URI=\"init.mp4?" + Query + "\"\n# a comment naming segment-000.m4s\n"
            + "#EXTINF:2.000,\nsegment-000.m4s?" + Query + "\n#EXTINF:2.000,\nsegment-001.m4s?part=1&" + Query + "\n#EXT-X-ENDLIST\n",
            HlsPlaylists.AppendQuery(media, Query));
    }

    [Theory]
    [InlineData("https://cdn.example.test/segment-000.ts")]
    [InlineData("//cdn.example.test/segment-000.ts")]
    [InlineData("/api/v1/files/other/stream/master.m3u8")]
    [InlineData("data:application/octet-stream;base64,AAAA")]
    [InlineData("\\\\server\\share\\segment.ts")]
    public void Absolute_and_root_relative_uris_never_get_the_signature(string uri)
    {
        var playlist = $"#EXTM3U\n#EXT-X-KEY:METHOD=AES-128,URI=\"{uri}\"\n#EXTINF:1,\n{uri}\n";

        Assert.Equal(playlist, HlsPlaylists.AppendQuery(playlist, Query));
    }

    [Fact]
    public void Only_the_attribute_named_uri_is_rewritten_and_fragments_stay_last()
    {
        const string playlist = "#EXT-X-DATERANGE:ID=\"ad\",X-ASSET-URI=\"ad/index.m3u8\"\n#EXT-X-MAP:URI=\"init.mp4#t=0\"\nsegment.ts#frag\n";

        Assert.Equal($"#EXT-X-DATERANGE:ID=\"ad\",X-ASSET-URI=\"ad/index.m3u8\"\n#EXT-X-MAP:URI=\"init.mp4?{Query}#t=0\"\nsegment.ts?{Query}#frag\n",
            HlsPlaylists.AppendQuery(playlist, Query));
    }
}

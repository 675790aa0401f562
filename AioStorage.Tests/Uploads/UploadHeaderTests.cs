using System.Security.Cryptography;
using System.Text;
using AioStorage.Core.Errors;
using AioStorage.Core.Files;
using AioStorage.Core.Uploads;
using Microsoft.Extensions.Configuration;

namespace AioStorage.Tests.Uploads;

/// <summary>The tus header grammars and the upload settings, as pure functions.</summary>
public class UploadHeaderTests
{
    [Fact]
    public void Metadata_is_parsed_strictly_and_echoed_as_sent()
    {
        var header = "filename d29ybGRfZG9taW5hdGlvbl9wbGFuLnBkZg==,is_confidential,blob AAEC/w==";
        var metadata = UploadMetadata.Parse(header);
        Assert.Equal("world_domination_plan.pdf", metadata.GetText("filename"));
        Assert.Equal(string.Empty, metadata.GetText("is_confidential"));
        Assert.Null(metadata.GetText("folderId"));
        Assert.Equal(header, metadata.ToHeader());
        Assert.Equal(header, UploadMetadata.FromStored(metadata.Encoded).ToHeader());
        Assert.Equal("filename YQ==,b", UploadMetadata.Parse(" filename YQ==, b ").ToHeader());
        Assert.Empty(UploadMetadata.Parse(null).Encoded);
    }

    [Theory]
    [InlineData("filename abc")]
    [InlineData("filename YQ")]
    [InlineData("filename Y Q==")]
    [InlineData("filename YQ==,filename Yg==")]
    [InlineData(",filename YQ==")]
    [InlineData("file\u00e9name YQ==")]
    [InlineData("filename YQ== extra")]
    [InlineData("$where YQ==")]
    [InlineData("a.b YQ==")]
    public void Malformed_metadata_is_a_validation_error(string header)
        => Assert.Throws<ValidationFailedException>(() => UploadMetadata.Parse(header));

    [Fact]
    public void Metadata_longer_than_8_KiB_or_binary_where_text_is_needed_is_refused()
    {
        Assert.Throws<ValidationFailedException>(() => UploadMetadata.Parse("k " + Convert.ToBase64String(new byte[7000])));
        var binary = UploadMetadata.Parse("filename " + Convert.ToBase64String([0xc3, 0x28]));
        Assert.Throws<ValidationFailedException>(() => binary.GetText("filename"));
    }

    [Fact]
    public void The_description_reads_name_folder_type_and_conflict_policy_with_defaults()
    {
        var full = UploadDescription.From(Metadata(("filename", "  Caf\u0065\u0301.txt "), ("folderId", "abc"), ("filetype", "text/plain"), ("onConflict", "Rename")));
        Assert.Equal("Caf\u00e9.txt", full.FileName);
        Assert.Equal("abc", full.FolderId);
        Assert.Equal("text/plain", full.FileType);
        Assert.Equal(NameConflictPolicy.Rename, full.Conflict);

        var bare = UploadDescription.From(UploadMetadata.Empty);
        Assert.Equal("upload", bare.FileName);
        Assert.Null(bare.FolderId);
        Assert.Equal(NameConflictPolicy.Version, bare.Conflict);
        Assert.Equal("uppy.png", UploadDescription.From(Metadata(("name", "uppy.png"))).FileName);

        Assert.Throws<ValidationFailedException>(() => UploadDescription.From(Metadata(("filename", "a/b"))));
        Assert.Throws<ValidationFailedException>(() => UploadDescription.From(Metadata(("filename", ".."))));
        Assert.Throws<ValidationFailedException>(() => UploadDescription.From(Metadata(("onConflict", "replace"))));
    }

    [Fact]
    public void Checksums_name_sha1_or_sha256_with_a_digest_of_the_right_size()
    {
        var body = "hello world"u8.ToArray();
        var sha1 = UploadChecksum.Parse("sha1 Kq5sNclPz7QV2+lfQIuc6R7oRu0=")!;
        Assert.Equal(HashAlgorithmName.SHA1, sha1.Algorithm);
        using (var hash = sha1.CreateHash())
        {
            hash.AppendData(body);
            Assert.True(sha1.Matches(hash));
        }

        var sha256 = UploadChecksum.Parse("sha256 " + Convert.ToBase64String(SHA256.HashData(body)))!;
        using (var hash = sha256.CreateHash())
        {
            hash.AppendData("hello world!"u8);
            Assert.False(sha256.Matches(hash));
        }

        Assert.Null(UploadChecksum.Parse(null));
        Assert.Null(UploadChecksum.Parse(" "));
        Assert.Throws<ValidationFailedException>(() => UploadChecksum.Parse("md5 XrY7u+Ae7tCTyyK7j1rNww=="));
        Assert.Throws<ValidationFailedException>(() => UploadChecksum.Parse("SHA1 Kq5sNclPz7QV2+lfQIuc6R7oRu0="));
        Assert.Throws<ValidationFailedException>(() => UploadChecksum.Parse("sha256 Kq5sNclPz7QV2+lfQIuc6R7oRu0="));
        Assert.Throws<ValidationFailedException>(() => UploadChecksum.Parse("sha1"));
        Assert.Throws<ValidationFailedException>(() => UploadChecksum.Parse("sha1 ###"));
    }

    [Fact]
    public void Settings_default_to_1_TiB_and_24_hours_and_refuse_nonsense()
    {
        var defaults = ResumableUploadOptions.From(Configuration());
        Assert.Equal(1L << 40, defaults.MaxSize);
        Assert.Equal(TimeSpan.FromHours(24), defaults.Lifetime);

        var set = ResumableUploadOptions.From(Configuration(("UPLOAD_MAX_SIZE", "5000000000"), ("UPLOAD_EXPIRES_IN", "2d")));
        Assert.Equal(5_000_000_000, set.MaxSize);
        Assert.Equal(TimeSpan.FromDays(2), set.Lifetime);
        Assert.Equal(TimeSpan.FromSeconds(90), ResumableUploadOptions.From(Configuration(("UPLOAD_EXPIRES_IN", "90"))).Lifetime);

        Assert.Throws<InvalidOperationException>(() => ResumableUploadOptions.From(Configuration(("UPLOAD_MAX_SIZE", "1 TiB"))));
        Assert.Throws<InvalidOperationException>(() => ResumableUploadOptions.From(Configuration(("UPLOAD_MAX_SIZE", "0"))));
        Assert.Throws<InvalidOperationException>(() => ResumableUploadOptions.From(Configuration(("UPLOAD_EXPIRES_IN", "3w"))));
        Assert.Throws<InvalidOperationException>(() => ResumableUploadOptions.From(Configuration(("UPLOAD_EXPIRES_IN", "-1h"))));
    }

    private static UploadMetadata Metadata(params (string Key, string Value)[] pairs)
        => UploadMetadata.Parse(string.Join(',', pairs.Select(p => $"{p.Key} {Convert.ToBase64String(Encoding.UTF8.GetBytes(p.Value))}")));

    private static IConfiguration Configuration(params (string Key, string Value)[] values)
        => new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build();
}

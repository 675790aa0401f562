using System.IO.Compression;
using AioStorage.Worker.Archives;
using Microsoft.Extensions.Time.Testing;

namespace AioStorage.Tests.Archives;

/// <summary>The pure parts of the archive worker: entry names, the compression choice and the progress throttle.</summary>
public sealed class ArchiveNamingTests
{
    [Theory]
    [InlineData("report.pdf", "report.pdf")]
    [InlineData("Straße – Ürlaub ☀️.txt", "Straße – Ürlaub ☀️.txt")]
    [InlineData("../../etc/passwd", ".._.._etc_passwd")]
    [InlineData("..", "__")]
    [InlineData(".", "_")]
    [InlineData("...", "___")]
    [InlineData("/absolute", "_absolute")]
    [InlineData("C:\\Windows\\win.ini", "C__Windows_win.ini")]
    [InlineData("a:b?c*d\"e<f>g|h.txt", "a_b_c_d_e_f_g_h.txt")]
    [InlineData("tab\there\nnew\u0000line\u007f", "tab_here_new_line_")]
    [InlineData("line\u2028para\u2029end", "line_para_end")]
    [InlineData("evil\u202Etxt.exe", "evil_txt.exe")]
    [InlineData("isolate\u2066x\u2069", "isolate_x_")]
    [InlineData("emoji 👩‍👩‍👧.png", "emoji 👩‍👩‍👧.png")]
    [InlineData("  spaced  ", "spaced")]
    [InlineData("", "_")]
    public void A_name_becomes_one_safe_path_segment(string name, string expected)
    {
        var safe = ArchiveEntryNames.Safe(name);

        Assert.Equal(expected, safe);
        Assert.DoesNotContain('/', safe);
        Assert.DoesNotContain('\\', safe);
        Assert.False(safe is "." or "..");
    }

    [Fact]
    public void Half_a_surrogate_pair_is_replaced_and_whole_pairs_are_kept()
    {
        // Built at run time: test data attributes would not carry a lone surrogate through unchanged.
        var name = "lone " + (char)0xD800 + " high, lone " + (char)0xDC00 + " low, pair " + char.ConvertFromUtf32(0x1F600);

        Assert.Equal("lone _ high, lone _ low, pair 😀", ArchiveEntryNames.Safe(name));
    }

    [Fact]
    public void Decomposed_unicode_is_stored_composed()
    {
        Assert.Equal("Cafe\u0301".Normalize(System.Text.NormalizationForm.FormC), ArchiveEntryNames.Safe("Cafe\u0301"));
        Assert.Equal("Café", ArchiveEntryNames.Safe("Cafe\u0301"));
    }

    [Fact]
    public void Names_that_clash_in_one_folder_after_sanitizing_or_by_case_are_numbered()
    {
        var folder = new ArchiveEntryNames();

        Assert.Equal("a_b.txt", folder.Claim("a:b.txt"));
        Assert.Equal("a_b (1).txt", folder.Claim("a_b.txt"));
        Assert.Equal("a_b (2).txt", folder.Claim("a?b.txt"));
        Assert.Equal("Report.PDF", folder.Claim("Report.PDF"));
        Assert.Equal("report (1).pdf", folder.Claim("report.pdf"));
        Assert.Equal("archive.tar.gz", folder.Claim("archive.tar.gz"));
        Assert.Equal("archive (1).tar.gz", folder.Claim("archive.tar.gz"));
        Assert.Equal("Photos", folder.Claim("Photos"));
        Assert.Equal("photos (1)", folder.Claim("photos"));

        var other = new ArchiveEntryNames();
        Assert.Equal("a_b.txt", other.Claim("a_b.txt"));
    }

    [Theory]
    [InlineData("image/jpeg", "photo.jpg", CompressionLevel.NoCompression)]
    [InlineData("image/png", "shot.png", CompressionLevel.NoCompression)]
    [InlineData("video/mp4", "clip.mp4", CompressionLevel.NoCompression)]
    [InlineData("audio/mpeg", "song.mp3", CompressionLevel.NoCompression)]
    [InlineData("application/zip", "bundle.zip", CompressionLevel.NoCompression)]
    [InlineData("application/gzip", "logs.gz", CompressionLevel.NoCompression)]
    [InlineData("application/x-7z-compressed", "x.7z", CompressionLevel.NoCompression)]
    [InlineData("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "cv.docx", CompressionLevel.NoCompression)]
    [InlineData("application/octet-stream", "backup.tar.zst", CompressionLevel.NoCompression)]
    [InlineData("application/octet-stream", "IMG_0001.HEIC", CompressionLevel.NoCompression)]
    [InlineData("image/svg+xml", "drawing.svg", CompressionLevel.Fastest)]
    [InlineData("image/bmp", "old.bmp", CompressionLevel.Fastest)]
    [InlineData("audio/wav", "take.wav", CompressionLevel.Fastest)]
    [InlineData("text/plain; charset=utf-8", "notes.txt", CompressionLevel.Fastest)]
    [InlineData("application/pdf", "paper.pdf", CompressionLevel.Fastest)]
    [InlineData("application/octet-stream", "data.bin", CompressionLevel.Fastest)]
    public void Compressed_media_and_archives_are_stored_and_the_rest_deflated(string mimeType, string name, CompressionLevel expected)
        => Assert.Equal(expected, ArchiveCompression.For(mimeType, name));

    [Fact]
    public void Deflate_is_tried_on_a_sample_and_skipped_for_content_it_would_grow()
    {
        var random = new byte[300_000];
        new Random(7).NextBytes(random);
        var text = System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("The quick brown fox jumps over the lazy dog. ", 5000)));

        Assert.False(ArchiveCompression.Shrinks(random));
        Assert.True(ArchiveCompression.Shrinks(text));
        Assert.True(ArchiveCompression.Shrinks(random.AsSpan(0, 100)));
    }

    [Fact]
    public void Progress_is_let_through_at_most_once_a_second()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var throttle = new ProgressThrottle(time, TimeSpan.FromSeconds(1));
        var due = new List<int>();

        for (var ms = 0; ms <= 3_500; ms += 50)
        {
            if (throttle.IsDue())
            {
                due.Add(ms);
            }

            time.Advance(TimeSpan.FromMilliseconds(50));
        }

        Assert.Equal([1_000, 2_000, 3_000], due);
    }
}

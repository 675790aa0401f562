using AioStorage.Api.Http;

namespace AioStorage.Tests.Unit;

public class ByteRangeTests
{
    [Theory]
    [InlineData("bytes=0-499", 1000, "0-499")]
    [InlineData("bytes=500-", 1000, "500-999")]
    [InlineData("bytes=-200", 1000, "800-999")]
    [InlineData("bytes=-2000", 1000, "0-999")]
    [InlineData("bytes=990-2000", 1000, "990-999")]
    [InlineData("BYTES = 0-0", 1000, "0-0")]
    [InlineData("bytes=0-0,-1", 1000, "0-0;999-999")]
    [InlineData("bytes=900-999, 0-99", 1000, "900-999;0-99")]
    [InlineData("bytes=0-99,50-149,150-199", 1000, "0-199")]
    [InlineData("bytes=0-1, ,5-6", 1000, "0-1;5-6")]
    [InlineData("bytes=2000-3000,0-0", 1000, "0-0")]
    public void Satisfiable_ranges(string header, long length, string expected)
    {
        var (outcome, ranges) = ByteRanges.Parse(header, length);
        Assert.Equal(RangeOutcome.Partial, outcome);
        Assert.Equal(expected, string.Join(';', ranges.Select(r => $"{r.Start}-{r.End}")));
    }

    [Theory]
    [InlineData("bytes=1000-", 1000)]
    [InlineData("bytes=1000-1999", 1000)]
    [InlineData("bytes=-0", 1000)]
    [InlineData("bytes=0-", 0)]
    [InlineData("bytes=-5", 0)]
    public void Unsatisfiable_ranges(string header, long length)
        => Assert.Equal(RangeOutcome.Unsatisfiable, ByteRanges.Parse(header, length).Outcome);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("items=0-5")]
    [InlineData("bytes=5-1")]
    [InlineData("bytes=a-b")]
    [InlineData("bytes=0-1x")]
    [InlineData("bytes=+1-2")]
    [InlineData("bytes=")]
    [InlineData("bytes 0-10")]
    [InlineData("bytes=99999999999999999999-")]
    public void Unusable_headers_mean_the_whole_file(string? header)
        => Assert.Equal(RangeOutcome.Full, ByteRanges.Parse(header, 1000).Outcome);

    [Fact]
    public void Too_many_ranges_mean_the_whole_file()
    {
        var header = "bytes=" + string.Join(',', Enumerable.Range(0, ByteRanges.MaxRanges + 1).Select(i => $"{i * 2}-{i * 2}"));
        Assert.Equal(RangeOutcome.Full, ByteRanges.Parse(header, 10_000).Outcome);
    }

    [Fact]
    public void Content_range_headers()
    {
        Assert.Equal("bytes 0-499/1234", ByteRanges.ContentRange(new ByteRange(0, 499), 1234));
        Assert.Equal("bytes */1234", ByteRanges.UnsatisfiedContentRange(1234));
    }

    [Theory]
    [InlineData("report.pdf", "attachment; filename=\"report.pdf\"; filename*=UTF-8''report.pdf")]
    [InlineData("Résumé 2026.pdf", "attachment; filename=\"R_sum_ 2026.pdf\"; filename*=UTF-8''R%C3%A9sum%C3%A9%202026.pdf")]
    [InlineData("a\"b\\c%d.txt", "attachment; filename=\"a_b_c_d.txt\"; filename*=UTF-8''a%22b%5Cc%25d.txt")]
    [InlineData("日本.txt", "attachment; filename=\"__.txt\"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.txt")]
    public void Content_disposition_keeps_the_real_name_in_filename_star(string name, string expected)
        => Assert.Equal(expected, ContentDispositionHeader.Create(name));
}

using System.Text;
using AioStorage.Worker.Media;

namespace AioStorage.Tests.Worker;

public sealed class MimeSnifferTests
{
    public static TheoryData<string, string> Signatures => new()
    {
        { "FFD8FFE000104A46494600", "image/jpeg" },
        { "89504E470D0A1A0A0000000D49484452", "image/png" },
        { Hex("GIF89a") + "0100010000", "image/gif" },
        { Hex("GIF87a") + "0100010000", "image/gif" },
        { Hex("RIFF") + "24000000" + Hex("WEBPVP8 "), "image/webp" },
        { Hex("RIFF") + "24000000" + Hex("WAVEfmt "), "audio/wav" },
        { Hex("RIFF") + "24000000" + Hex("AVI LIST"), "video/x-msvideo" },
        { Hex("BM") + "46000000" + "00000000" + "36000000" + "28000000" + "0100000001000000", "image/bmp" },
        { "49492A00080000000000", "image/tiff" },
        { "4D4D002A000000080000", "image/tiff" },
        { Ftyp("isom", "isom", "iso2", "avc1", "mp41"), "video/mp4" },
        { Ftyp("mp42", "mp42", "isom"), "video/mp4" },
        { Ftyp("qt  ", "qt  "), "video/quicktime" },
        { Ftyp("M4V ", "M4V ", "mp42"), "video/x-m4v" },
        { Ftyp("M4A ", "M4A ", "mp42"), "audio/mp4" },
        { Ftyp("3gp4", "3gp4", "isom"), "video/3gpp" },
        { Ftyp("3g2a", "3g2a"), "video/3gpp2" },
        { Ftyp("heic", "mif1", "heic"), "image/heic" },
        { Ftyp("mif1", "mif1", "heic"), "image/heic" },
        { Ftyp("avif", "avif", "mif1", "miaf"), "image/avif" },
        { Ftyp("mif1", "mif1", "avif", "miaf"), "image/avif" },
        { "1A45DFA39F4286810142F7810142F2810442F381084282847765626D", "video/webm" },
        { "1A45DFA3A34286810142F7810142F2810442F381084282886D6174726F736B61", "video/x-matroska" },
        { Hex("OggS") + "0002000000000000000000000000000000000000000000" + "1E01" + Hex("vorbis"), "audio/ogg" },
        { Hex("OggS") + "00020000000000000000000000000000000000000000" + "0000" + "80" + Hex("theora"), "video/ogg" },
        { Hex("fLaC") + "00000022", "audio/flac" },
        { Hex("ID3") + "0300000000000A", "audio/mpeg" },
        { "FFFB9064000000000000", "audio/mpeg" },
        { "FFF15080002FFC", "audio/aac" },
        { Hex("%PDF-1.7\n"), "application/pdf" },
        { "504B0304140000000800", "application/zip" },
        { "1F8B0800000000000003", "application/gzip" },
        { "377ABCAF271C0004", "application/x-7z-compressed" },
        { "526172211A0700", "application/vnd.rar" },
        { "526172211A070100", "application/vnd.rar" },
        { Hex("BZh91AY&SY"), "application/x-bzip2" },
        { "FD377A585A000004E6D6B446", "application/x-xz" },
        { "28B52FFD2400", "application/zstd" },
        { Hex("MThd") + "00000006", "audio/midi" },
        { Hex("FORM") + "00000000" + Hex("AIFFCOMM"), "audio/aiff" },
        { Hex("8BPS") + "0001", "image/vnd.adobe.photoshop" },
    };

    [Theory]
    [MemberData(nameof(Signatures))]
    public void Recognises_the_magic_numbers(string hex, string expected)
        => Assert.Equal(expected, MimeSniffer.Detect(Convert.FromHexString(hex), "application/x-whatever-the-client-said"));

    [Fact]
    public void Tar_is_recognised_by_its_ustar_field()
    {
        var header = new byte[512];
        Encoding.ASCII.GetBytes("notes.txt").CopyTo(header, 0);
        Encoding.ASCII.GetBytes("ustar\0" + "00").CopyTo(header, 257);
        Assert.Equal("application/x-tar", MimeSniffer.Detect(header, null));
    }

    [Fact]
    public void Mpeg_ts_is_recognised_by_its_sync_bytes()
    {
        var header = new byte[188 * 4];
        for (var i = 0; i < header.Length; i += 188)
        {
            header[i] = 0x47;
            header[i + 1] = 0x40;
        }

        Assert.Equal("video/mp2t", MimeSniffer.Detect(header, null));
    }

    [Fact]
    public void The_bytes_win_over_the_claim()
    {
        var png = Convert.FromHexString("89504E470D0A1A0A0000000D49484452");
        Assert.Equal("image/png", MimeSniffer.Detect(png, "image/jpeg"));
        Assert.Equal("image/png", MimeSniffer.Detect(png, "text/html"));
    }

    [Fact]
    public void Unknown_binary_falls_back_to_the_claim()
    {
        var binary = new byte[] { 0x00, 0x01, 0x02, 0x03, 0xFE, 0x10, 0x00, 0x99 };
        Assert.Equal("application/x-custom", MimeSniffer.Detect(binary, "Application/X-Custom; charset=binary"));
        Assert.Equal(MimeSniffer.OctetStream, MimeSniffer.Detect(binary, null));
        Assert.Equal(MimeSniffer.OctetStream, MimeSniffer.Detect(binary, ""));
        Assert.Equal(MimeSniffer.OctetStream, MimeSniffer.Detect(binary, "not a type"));
    }

    [Fact]
    public void A_claim_the_bytes_would_have_matched_is_not_believed()
    {
        var binary = new byte[] { 0x00, 0x01, 0x02, 0x03, 0xFE, 0x10, 0x00, 0x99 };
        Assert.Equal(MimeSniffer.OctetStream, MimeSniffer.Detect(binary, "image/png"));
        Assert.Equal(MimeSniffer.OctetStream, MimeSniffer.Detect(binary, "video/mp4"));
    }

    [Fact]
    public void Text_is_plain_unless_the_claim_names_a_kind_of_text()
    {
        var csv = Encoding.UTF8.GetBytes("name,size\nÄrger.txt,12\n");
        Assert.Equal("text/plain", MimeSniffer.Detect(csv, null));
        Assert.Equal("text/csv", MimeSniffer.Detect(csv, "text/csv"));
        Assert.Equal("application/json", MimeSniffer.Detect("{\"a\": [1, 2]}"u8, "application/json"));
        Assert.Equal("image/svg+xml", MimeSniffer.Detect("<svg xmlns=\"http://www.w3.org/2000/svg\"/>"u8, "image/svg+xml"));
        // Text claiming to be a picture is text.
        Assert.Equal("text/plain", MimeSniffer.Detect("just words"u8, "image/jpeg"));
    }

    [Fact]
    public void Text_cut_inside_a_multibyte_character_is_still_text()
    {
        var text = Encoding.UTF8.GetBytes(new string('a', 100) + "€");
        Assert.True(MimeSniffer.LooksLikeText(text.AsSpan(0, text.Length - 1)));
        Assert.True(MimeSniffer.LooksLikeText(text));
    }

    [Fact]
    public void Binary_looking_bytes_are_not_text()
    {
        Assert.False(MimeSniffer.LooksLikeText("abc\0def"u8));
        Assert.False(MimeSniffer.LooksLikeText([0xC3, 0x28, 0x41, 0x42]));
        Assert.False(MimeSniffer.LooksLikeText([0x01, 0x02, 0x03, 0x41, 0x42, 0x43]));
        Assert.False(MimeSniffer.LooksLikeText([]));
    }

    [Fact]
    public void Zip_documents_keep_their_claimed_kind_and_odf_names_its_own()
    {
        var zip = Convert.FromHexString("504B0304140000000800");
        const string docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
        Assert.Equal(docx, MimeSniffer.Detect(zip, docx));
        Assert.Equal("application/zip", MimeSniffer.Detect(zip, "image/png"));

        const string odt = "application/vnd.oasis.opendocument.text";
        var header = new byte[38 + odt.Length];
        Convert.FromHexString("504B03040A0000000000").CopyTo(header, 0);
        BitConverter.GetBytes(odt.Length).CopyTo(header, 18);
        BitConverter.GetBytes(odt.Length).CopyTo(header, 22);
        BitConverter.GetBytes((ushort)8).CopyTo(header, 26);
        Encoding.ASCII.GetBytes("mimetype").CopyTo(header, 30);
        Encoding.ASCII.GetBytes(odt).CopyTo(header, 38);
        Assert.Equal(odt, MimeSniffer.Detect(header, null));
    }

    [Fact]
    public void Ole_documents_keep_their_claimed_office_kind()
    {
        var ole = Convert.FromHexString("D0CF11E0A1B11AE10000");
        Assert.Equal("application/msword", MimeSniffer.Detect(ole, "application/msword"));
        Assert.Equal("application/x-ole-storage", MimeSniffer.Detect(ole, "video/mp4"));
    }

    [Fact]
    public void Two_letters_bm_are_not_a_bitmap()
        => Assert.Equal("text/plain", MimeSniffer.Detect("BMW 3 series manual"u8, null));

    [Fact]
    public void A_corrupt_mp4_is_still_sniffed_as_mp4()
    {
        var bytes = new byte[4096];
        new Random(5).NextBytes(bytes);
        Convert.FromHexString(Ftyp("isom", "isom", "mp41")).CopyTo(bytes, 0);
        Assert.Equal("video/mp4", MimeSniffer.Detect(bytes, "video/mp4"));
    }

    private static string Hex(string ascii) => Convert.ToHexString(Encoding.ASCII.GetBytes(ascii));

    /// <summary>An ISO base media ftyp box: size, "ftyp", major brand, minor version, compatible brands.</summary>
    private static string Ftyp(string major, params string[] compatible)
    {
        var size = 16 + compatible.Length * 4;
        return size.ToString("X8") + Hex("ftyp") + Hex(major) + "00000200" + string.Concat(compatible.Select(Hex));
    }
}

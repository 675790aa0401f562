using System.Buffers.Binary;
using System.Text;

namespace AioStorage.Worker.Media;

/// <summary>
/// The real type of a content, told from its first bytes (<see cref="HeaderLength"/> of them), never from its name.
/// The client's claimed type is believed only where the bytes say nothing the sniffer knows: for text it picks the kind
/// of text (CSV, JSON, SVG...), for a ZIP or OLE container the kind of document inside, and for unknown binary it is the
/// answer, unless it claims a type the sniffer recognises, which these bytes would have matched (a lie or a corrupt file).
/// </summary>
public static class MimeSniffer
{
    /// <summary>How much of the content <see cref="Detect"/> wants to see: enough for a TAR header, an ID3 tag's start and text statistics.</summary>
    public const int HeaderLength = 8192;

    public const string OctetStream = "application/octet-stream";

    private const string Zip = "application/zip";

    private static readonly byte[] TheoraHeader = [0x80, (byte)'t', (byte)'h', (byte)'e', (byte)'o', (byte)'r', (byte)'a'];
    private const string Ole = "application/x-ole-storage";

    /// <summary>Types the sniffer itself can recognise: a claim of one of these for bytes that matched none is not believed.</summary>
    private static readonly HashSet<string> Recognisable = new(StringComparer.OrdinalIgnoreCase)
    {
        "image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp", "image/tiff", "image/heic", "image/heif", "image/avif",
        "image/x-icon", "image/vnd.microsoft.icon", "image/vnd.adobe.photoshop",
        "video/mp4", "video/quicktime", "video/x-m4v", "video/3gpp", "video/3gpp2", "video/webm", "video/x-matroska", "video/x-msvideo",
        "video/mp2t", "video/ogg",
        "audio/mpeg", "audio/mp3", "audio/aac", "audio/mp4", "audio/x-m4a", "audio/wav", "audio/x-wav", "audio/wave", "audio/ogg", "audio/opus",
        "audio/flac", "audio/x-flac", "audio/aiff", "audio/x-aiff", "audio/midi", "audio/webm",
        "application/pdf", Zip, "application/gzip", "application/x-gzip", "application/x-7z-compressed", "application/vnd.rar",
        "application/x-rar-compressed", "application/x-tar", "application/x-bzip2", "application/x-xz", "application/zstd",
        "application/postscript",
    };

    /// <summary>
    /// The detected type of <paramref name="header"/> (the first bytes of the content, up to <see cref="HeaderLength"/>;
    /// fewer only when the content is that short), with <paramref name="claimed"/> used as described on the class.
    /// </summary>
    public static string Detect(ReadOnlySpan<byte> header, string? claimed)
    {
        var claim = Normalise(claimed);
        var magic = FromMagic(header);
        if (magic is not null)
        {
            return magic switch
            {
                Zip when IsZipDocument(claim) => claim!,
                Zip => OpenDocumentType(header) ?? Zip,
                Ole when claim is not null && IsOleDocument(claim) => claim,
                _ => magic,
            };
        }

        if (LooksLikeText(header))
        {
            return claim is not null && IsTextual(claim) ? claim : "text/plain";
        }

        return claim is not null && !Recognisable.Contains(claim) ? claim : OctetStream;
    }

    /// <summary>The magic-number match alone, or null.</summary>
    public static string? FromMagic(ReadOnlySpan<byte> h)
    {
        if (h.Length < 2)
        {
            return null;
        }

        if (h.Length >= 3 && h[0] == 0xFF && h[1] == 0xD8 && h[2] == 0xFF)
        {
            return "image/jpeg";
        }

        if (Starts(h, 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A))
        {
            return "image/png";
        }

        if (h.StartsWith("GIF87a"u8) || h.StartsWith("GIF89a"u8))
        {
            return "image/gif";
        }

        if (h.Length >= 12 && h.StartsWith("RIFF"u8))
        {
            var form = h.Slice(8, 4);
            if (form.SequenceEqual("WEBP"u8))
            {
                return "image/webp";
            }

            if (form.SequenceEqual("WAVE"u8))
            {
                return "audio/wav";
            }

            if (form.SequenceEqual("AVI "u8))
            {
                return "video/x-msvideo";
            }
        }

        if (h.Length >= 12 && h.StartsWith("FORM"u8) && (h.Slice(8, 4).SequenceEqual("AIFF"u8) || h.Slice(8, 4).SequenceEqual("AIFC"u8)))
        {
            return "audio/aiff";
        }

        if (h.Length >= 12 && h.Slice(4, 4).SequenceEqual("ftyp"u8))
        {
            return FromFtyp(h);
        }

        if (Starts(h, 0x1A, 0x45, 0xDF, 0xA3))
        {
            return FromEbml(h);
        }

        if (h.StartsWith("OggS"u8))
        {
            return FromOgg(h);
        }

        if (h.StartsWith("fLaC"u8))
        {
            return "audio/flac";
        }

        if (h.StartsWith("ID3"u8))
        {
            return "audio/mpeg";
        }

        if (h.StartsWith("MThd"u8))
        {
            return "audio/midi";
        }

        if (h.StartsWith("%PDF-"u8))
        {
            return "application/pdf";
        }

        if (h.StartsWith("%!PS"u8))
        {
            return "application/postscript";
        }

        if (Starts(h, 0x50, 0x4B, 0x03, 0x04) || Starts(h, 0x50, 0x4B, 0x05, 0x06) || Starts(h, 0x50, 0x4B, 0x07, 0x08))
        {
            return Zip;
        }

        if (h[0] == 0x1F && h[1] == 0x8B)
        {
            return "application/gzip";
        }

        if (Starts(h, 0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C))
        {
            return "application/x-7z-compressed";
        }

        if (Starts(h, 0x52, 0x61, 0x72, 0x21, 0x1A, 0x07))
        {
            return "application/vnd.rar";
        }

        if (h.StartsWith("BZh"u8) && h.Length >= 4 && h[3] is >= (byte)'1' and <= (byte)'9')
        {
            return "application/x-bzip2";
        }

        if (h.Length >= 6 && h[0] == 0xFD && h.Slice(1, 5).SequenceEqual("7zXZ\0"u8))
        {
            return "application/x-xz";
        }

        if (h.Length >= 4 && BinaryPrimitives.ReadUInt32LittleEndian(h) == 0xFD2FB528)
        {
            return "application/zstd";
        }

        if (h.Length >= 262 && h.Slice(257, 5).SequenceEqual("ustar"u8))
        {
            return "application/x-tar";
        }

        if (h.StartsWith("II*\0"u8) || h.StartsWith("MM\0*"u8))
        {
            return "image/tiff";
        }

        if (h.StartsWith("8BPS"u8))
        {
            return "image/vnd.adobe.photoshop";
        }

        if (h.Length >= 8 && Starts(h, 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1))
        {
            return Ole;
        }

        if (IsBmp(h))
        {
            return "image/bmp";
        }

        if (IsIco(h))
        {
            return "image/x-icon";
        }

        if (IsMpegTransportStream(h))
        {
            return "video/mp2t";
        }

        return FromAudioFrameSync(h);
    }

    /// <summary>ISO base media (MP4, MOV, 3GP, HEIF, AVIF): the major brand, then the compatible brands, say which.</summary>
    private static string FromFtyp(ReadOnlySpan<byte> h)
    {
        var boxSize = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(h), (uint)h.Length);
        var brands = new List<string> { Encoding.ASCII.GetString(h.Slice(8, 4)) };
        for (var offset = 16; offset + 4 <= boxSize; offset += 4)
        {
            brands.Add(Encoding.ASCII.GetString(h.Slice(offset, 4)));
        }

        var major = brands[0];
        if (major is "avif" or "avis")
        {
            return "image/avif";
        }

        if (major is "heic" or "heix" or "heim" or "heis" or "hevc" or "hevx")
        {
            return "image/heic";
        }

        if (major is "mif1" or "msf1")
        {
            return brands.Contains("avif") || brands.Contains("avis") ? "image/avif"
                : brands.Any(b => b.StartsWith("hei", StringComparison.Ordinal) || b.StartsWith("hev", StringComparison.Ordinal)) ? "image/heic"
                : "image/heif";
        }

        if (major is "M4A " or "M4B " or "M4P " or "F4A ")
        {
            return "audio/mp4";
        }

        if (major == "qt  ")
        {
            return "video/quicktime";
        }

        if (major == "M4V " || major == "M4VH" || major == "M4VP")
        {
            return "video/x-m4v";
        }

        if (major.StartsWith("3g2", StringComparison.Ordinal))
        {
            return "video/3gpp2";
        }

        if (major.StartsWith("3gp", StringComparison.Ordinal) || major.StartsWith("3ge", StringComparison.Ordinal) || major.StartsWith("3gg", StringComparison.Ordinal))
        {
            return "video/3gpp";
        }

        return "video/mp4";
    }

    /// <summary>Matroska and WebM share EBML; the DocType element near the start names which.</summary>
    private static string FromEbml(ReadOnlySpan<byte> h)
    {
        var window = h[..Math.Min(h.Length, 64)];
        return window.IndexOf("webm"u8) >= 0 ? "video/webm" : "video/x-matroska";
    }

    /// <summary>The first Ogg page carries the first codec header: Theora means video, anything else (Vorbis, Opus, FLAC, Speex) audio.</summary>
    private static string FromOgg(ReadOnlySpan<byte> h)
    {
        var window = h[..Math.Min(h.Length, 128)];
        return window.IndexOf(TheoraHeader) >= 0 ? "video/ogg" : "audio/ogg";
    }

    private static bool IsBmp(ReadOnlySpan<byte> h)
    {
        // "BM" alone is two letters of text; require the 4 reserved zero bytes and a known DIB header size as well.
        if (h.Length < 18 || h[0] != (byte)'B' || h[1] != (byte)'M' || BinaryPrimitives.ReadUInt32LittleEndian(h[6..]) != 0)
        {
            return false;
        }

        return BinaryPrimitives.ReadUInt32LittleEndian(h[14..]) is 12 or 16 or 40 or 52 or 56 or 64 or 108 or 124;
    }

    private static bool IsIco(ReadOnlySpan<byte> h) =>
        h.Length >= 22 && h[0] == 0 && h[1] == 0 && h[2] == 1 && h[3] == 0 && h[4] != 0
        && h[9] == 0 && h[10] is 0 or 1 && h[11] == 0;

    /// <summary>MPEG-TS: the sync byte 0x47 every 188 bytes.</summary>
    private static bool IsMpegTransportStream(ReadOnlySpan<byte> h)
    {
        const int packet = 188;
        if (h.Length < packet * 3)
        {
            return false;
        }

        for (var i = 0; i + packet <= h.Length && i < packet * 5; i += packet)
        {
            if (h[i] != 0x47)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>MP3 without an ID3 tag, or ADTS AAC: an 11-bit frame sync and valid header fields.</summary>
    private static string? FromAudioFrameSync(ReadOnlySpan<byte> h)
    {
        if (h.Length < 4 || h[0] != 0xFF || (h[1] & 0xE0) != 0xE0)
        {
            return null;
        }

        var version = (h[1] >> 3) & 0x3;
        var layer = (h[1] >> 1) & 0x3;
        if (layer == 0)
        {
            // Layer bits 00 are reserved in MPEG audio and mean ADTS (AAC) when the version bit pattern is 0b1x.
            return (h[1] & 0xF6) == 0xF0 ? "audio/aac" : null;
        }

        var bitrateIndex = h[2] >> 4;
        var sampleRateIndex = (h[2] >> 2) & 0x3;
        return version != 1 && bitrateIndex is not (0 or 15) && sampleRateIndex != 3 ? "audio/mpeg" : null;
    }

    /// <summary>ODF and EPUB store their type, uncompressed, as the first entry named "mimetype" (at byte 30 + name, so 38).</summary>
    private static string? OpenDocumentType(ReadOnlySpan<byte> h)
    {
        if (h.Length < 38 + 8 || !h.Slice(30, 8).SequenceEqual("mimetype"u8))
        {
            return null;
        }

        var compression = BinaryPrimitives.ReadUInt16LittleEndian(h[8..]);
        var size = (int)BinaryPrimitives.ReadUInt32LittleEndian(h[18..]);
        var extra = BinaryPrimitives.ReadUInt16LittleEndian(h[28..]);
        var start = 38 + extra;
        if (compression != 0 || size is <= 0 or > 100 || start + size > h.Length)
        {
            return null;
        }

        var type = Encoding.ASCII.GetString(h.Slice(start, size));
        return type.StartsWith("application/", StringComparison.Ordinal) && type.All(c => c is > ' ' and < (char)127) ? type : null;
    }

    private static bool IsZipDocument(string? claim) => claim is not null && (
        claim.StartsWith("application/vnd.openxmlformats-officedocument.", StringComparison.Ordinal)
        || claim.StartsWith("application/vnd.oasis.opendocument.", StringComparison.Ordinal)
        || claim.StartsWith("application/vnd.ms-", StringComparison.Ordinal) && claim.Contains(".macroenabled", StringComparison.Ordinal)
        || claim is "application/epub+zip" or "application/java-archive" or "application/vnd.android.package-archive"
            or "application/x-zip-compressed" or "application/vnd.apple.keynote" or "application/vnd.apple.pages"
            or "application/vnd.apple.numbers" or "application/x-xpinstall");

    private static bool IsOleDocument(string claim) =>
        claim is "application/msword" or "application/vnd.ms-excel" or "application/vnd.ms-powerpoint" or "application/vnd.ms-outlook"
            or "application/x-msi" or "application/vnd.visio";

    private static bool IsTextual(string claim) =>
        claim.StartsWith("text/", StringComparison.Ordinal)
        || claim.EndsWith("+xml", StringComparison.Ordinal) || claim.EndsWith("+json", StringComparison.Ordinal)
        || claim is "application/json" or "application/xml" or "application/javascript" or "application/x-yaml" or "application/yaml"
            or "application/toml" or "application/x-sh" or "application/sql" or "application/x-subrip" or "application/rtf"
            or "application/x-ndjson" or "application/ld+json" or "application/graphql";

    /// <summary>
    /// Plain text: valid UTF-8 (a character cut off at the end of the header is allowed; so is a UTF-8 or UTF-16 byte order
    /// mark), no NUL, and control characters other than tab, newline, carriage return and form feed in at most 1 byte in 100.
    /// </summary>
    public static bool LooksLikeText(ReadOnlySpan<byte> h)
    {
        if (h.IsEmpty)
        {
            return false;
        }

        if (Starts(h, 0xFF, 0xFE) || Starts(h, 0xFE, 0xFF))
        {
            return h.Length % 2 == 0 || h.Length >= HeaderLength;
        }

        if (h.IndexOf((byte)0) >= 0)
        {
            return false;
        }

        var controls = 0;
        foreach (var b in h)
        {
            if (b < 0x20 && b is not ((byte)'\t' or (byte)'\n' or (byte)'\r' or 0x0C or 0x1B) || b == 0x7F)
            {
                controls++;
            }
        }

        if (controls * 100 > h.Length)
        {
            return false;
        }

        return IsUtf8AllowingCutEnd(h);
    }

    private static bool IsUtf8AllowingCutEnd(ReadOnlySpan<byte> h)
    {
        if (System.Text.Unicode.Utf8.IsValid(h))
        {
            return true;
        }

        // The header may end inside a multi-byte character: drop up to 3 trailing bytes of an unfinished sequence.
        for (var cut = 1; cut <= 3 && cut < h.Length; cut++)
        {
            if ((h[^cut] & 0xC0) != 0x80)
            {
                return h[^cut] >= 0xC0 && System.Text.Unicode.Utf8.IsValid(h[..^cut]);
            }
        }

        return false;
    }

    private static bool Starts(ReadOnlySpan<byte> header, params ReadOnlySpan<byte> magic) => header.StartsWith(magic);

    private static string? Normalise(string? claimed)
    {
        var value = claimed?.Split(';', 2)[0].Trim().ToLowerInvariant();
        return string.IsNullOrEmpty(value) || value == OctetStream || !value.Contains('/') ? null : value;
    }
}

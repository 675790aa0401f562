using System.Globalization;

namespace AioStorage.Api.Http;

/// <summary>One satisfiable byte range: <see cref="Start"/> to <see cref="End"/> inclusive.</summary>
public readonly record struct ByteRange(long Start, long End)
{
    public long Length => End - Start + 1;
}

public enum RangeOutcome
{
    /// <summary>No usable Range header: send the whole representation (200).</summary>
    Full,

    /// <summary>At least one range is satisfiable: 206 (one part, or multipart/byteranges).</summary>
    Partial,

    /// <summary>A valid byte-range set of which no range is satisfiable: 416 with <c>Content-Range: bytes */length</c>.</summary>
    Unsatisfiable,
}

/// <summary>The Range header of RFC 9110 §14, for the "bytes" unit, as a pure function of the header and the length.</summary>
public static class ByteRanges
{
    /// <summary>
    /// More ranges than this is not a video player or a download manager but an attempt to make the server work
    /// hard for little (RFC 9110 §14.2 allows ignoring such requests): the whole file is sent instead.
    /// </summary>
    public const int MaxRanges = 64;

    /// <summary>
    /// Parses <paramref name="header"/> against a representation of <paramref name="length"/> bytes. Invalid syntax, another
    /// unit or too many ranges mean <see cref="RangeOutcome.Full"/> (RFC 9110 lets a server ignore what it cannot use).
    /// Overlapping or adjacent ranges are coalesced, so no byte is sent twice.
    /// </summary>
    public static (RangeOutcome Outcome, IReadOnlyList<ByteRange> Ranges) Parse(string? header, long length)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return (RangeOutcome.Full, []);
        }

        var equals = header.IndexOf('=', StringComparison.Ordinal);
        if (equals < 0 || !header[..equals].Trim().Equals("bytes", StringComparison.OrdinalIgnoreCase))
        {
            return (RangeOutcome.Full, []);
        }

        var specs = header[(equals + 1)..].Split(',', StringSplitOptions.TrimEntries);
        if (specs.Length > MaxRanges)
        {
            return (RangeOutcome.Full, []);
        }

        var satisfiable = new List<ByteRange>(specs.Length);
        var any = false;
        foreach (var spec in specs)
        {
            if (spec.Length == 0)
            {
                // RFC 9110 allows empty list elements ("bytes=0-1, , 5-6").
                continue;
            }

            var dash = spec.IndexOf('-', StringComparison.Ordinal);
            if (dash < 0)
            {
                return (RangeOutcome.Full, []);
            }

            var first = spec[..dash];
            var last = spec[(dash + 1)..];
            any = true;
            if (first.Length == 0)
            {
                if (!TryDigits(last, out var suffix))
                {
                    return (RangeOutcome.Full, []);
                }

                if (suffix > 0 && length > 0)
                {
                    satisfiable.Add(new ByteRange(Math.Max(0, length - suffix), length - 1));
                }

                continue;
            }

            if (!TryDigits(first, out var start))
            {
                return (RangeOutcome.Full, []);
            }

            long end;
            if (last.Length == 0)
            {
                end = length - 1;
            }
            else if (!TryDigits(last, out end) || end < start)
            {
                return (RangeOutcome.Full, []);
            }

            if (start < length)
            {
                satisfiable.Add(new ByteRange(start, Math.Min(end, length - 1)));
            }
        }

        if (!any)
        {
            return (RangeOutcome.Full, []);
        }

        return satisfiable.Count == 0 ? (RangeOutcome.Unsatisfiable, []) : (RangeOutcome.Partial, Coalesce(satisfiable));
    }

    /// <summary><c>bytes 0-499/1234</c>.</summary>
    public static string ContentRange(ByteRange range, long length)
        => string.Create(CultureInfo.InvariantCulture, $"bytes {range.Start}-{range.End}/{length}");

    public static string UnsatisfiedContentRange(long length) => string.Create(CultureInfo.InvariantCulture, $"bytes */{length}");

    private static List<ByteRange> Coalesce(List<ByteRange> ranges)
    {
        if (ranges.Count == 1)
        {
            return ranges;
        }

        var overlaps = false;
        var ordered = ranges.OrderBy(r => r.Start).ToList();
        for (var i = 1; i < ordered.Count && !overlaps; i++)
        {
            overlaps = ordered[i].Start <= ordered[i - 1].End + 1;
        }

        if (!overlaps)
        {
            // Keep the client's order: a player may ask for the index at the end before the start.
            return ranges;
        }

        var merged = new List<ByteRange> { ordered[0] };
        foreach (var range in ordered.Skip(1))
        {
            var lastRange = merged[^1];
            if (range.Start <= lastRange.End + 1)
            {
                merged[^1] = lastRange with { End = Math.Max(lastRange.End, range.End) };
            }
            else
            {
                merged.Add(range);
            }
        }

        return merged;
    }

    private static bool TryDigits(string text, out long value)
    {
        value = 0;
        return text.Length is > 0 and <= 19 && text.All(char.IsAsciiDigit)
            && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}

using System.Globalization;

namespace AioStorage.Worker.Media;

/// <summary>One output picture size with its bitrate ceiling; <see cref="Name"/> is also its folder in the HLS output.</summary>
public sealed record Rendition(string Name, int Width, int Height, int MaxVideoKbps)
{
    /// <summary>Decoder buffer: two seconds at the ceiling lets the encoder spend bits where the picture needs them.</summary>
    public int BufferKbps => MaxVideoKbps * 2;

    public long Pixels => (long)Width * Height;
}

/// <summary>
/// Chooses HLS renditions from the source's displayed size. Rungs are named by the short side (1080p, 720p, 360p), so a
/// portrait phone video (1080x1920) gets the same ladder as landscape 1920x1080. A rung taller than the source is left
/// out (never upscaled); a source below the lowest rung gets one rendition at its own size.
/// </summary>
public static class RenditionLadder
{
    public static IReadOnlyList<(int ShortSide, int MaxVideoKbps)> Rungs { get; } = [(1080, 5000), (720, 2800), (360, 800)];

    /// <summary>Bitrate ceiling of a source smaller than every rung: the lowest rung's, scaled by pixel count, at least this.</summary>
    public const int MinimumKbps = 200;

    public static IReadOnlyList<Rendition> Select(int displayWidth, int displayHeight)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(displayWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(displayHeight, 1);
        var shortSide = Math.Min(displayWidth, displayHeight);
        var chosen = Rungs
            .Where(rung => rung.ShortSide <= shortSide)
            .Select(rung => Scaled(displayWidth, displayHeight, rung.ShortSide, rung.MaxVideoKbps))
            .ToList();
        if (chosen.Count > 0)
        {
            return chosen;
        }

        var width = Even(displayWidth);
        var height = Even(displayHeight);
        var (lowestSide, lowestKbps) = Rungs[^1];
        var lowestPixels = lowestSide * lowestSide * 16.0 / 9.0;
        var kbps = Math.Max(MinimumKbps, (int)Math.Round(lowestKbps * width * height / lowestPixels));
        return [new Rendition(Name(Math.Min(width, height)), width, height, kbps)];
    }

    /// <summary>A box of <paramref name="maxSide"/> on the long side, aspect kept, never larger than the source, even sides.</summary>
    public static (int Width, int Height) FitWithin(int width, int height, int maxSide)
    {
        var scale = Math.Min(1.0, (double)maxSide / Math.Max(width, height));
        return (Even(width * scale), Even(height * scale));
    }

    private static Rendition Scaled(int width, int height, int shortSide, int kbps)
    {
        var landscape = width >= height;
        var longSide = Even((double)(landscape ? width : height) * shortSide / Math.Min(width, height));
        return landscape
            ? new Rendition(Name(shortSide), longSide, shortSide, kbps)
            : new Rendition(Name(shortSide), shortSide, longSide, kbps);
    }

    private static string Name(int shortSide) => shortSide.ToString(CultureInfo.InvariantCulture) + "p";

    /// <summary>H.264 in 4:2:0 needs even sides: rounded down (so never past the source), at least 2.</summary>
    private static int Even(double value) => Math.Max(2, (int)Math.Floor(value / 2 + 1e-9) * 2);
}

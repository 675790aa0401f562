using SkiaSharp;

namespace AioStorage.Worker.Media;

/// <summary>What the decoder saw: the size as shown (EXIF orientation applied) and the clockwise turn that took.</summary>
public sealed record ImageFacts(int Width, int Height, int Rotation);

/// <summary>The picture cannot be decoded (corrupt or truncated beyond use): the upload is marked failed with <see cref="Exception.Message"/>.</summary>
public sealed class ImageUnreadableException(string message) : Exception(message);

/// <summary>
/// The picture is too large to decode safely (a decompression bomb, or a huge scan): it stays a normal file, without previews.
/// </summary>
public sealed class ImageTooLargeException(ImageFacts facts, long maxPixels)
    : Exception($"No preview: the image is {facts.Width}x{facts.Height} pixels, more than the {maxPixels / 1_000_000} megapixels previews are made for.")
{
    public ImageFacts Facts { get; } = facts;
}

/// <summary>
/// Makes WebP thumbnails of an image with SkiaSharp. The header is read first and pictures over the pixel limit are
/// refused before anything is decoded. JPEGs are decoded at a reduced scale when the largest thumbnail allows it (a
/// 48-megapixel photo then costs a quarter of the memory). EXIF orientation is applied while drawing, so thumbnails of
/// phone photos stand upright. Each size fits its bounding box, aspect kept, never enlarged.
/// </summary>
public static class Thumbnailer
{
    private const float WebpQuality = 80;

    /// <summary>Formats SkiaSharp decodes here: what may get thumbnails.</summary>
    public static bool CanDecode(string mimeType) =>
        mimeType is "image/jpeg" or "image/png" or "image/gif" or "image/webp" or "image/bmp" or "image/x-icon";

    /// <summary>Reads only the header: size and orientation.</summary>
    /// <exception cref="ImageUnreadableException"/>
    public static ImageFacts Inspect(string path)
    {
        using var codec = Open(path);
        return Facts(codec);
    }

    /// <summary>
    /// Writes one WebP per entry of <paramref name="outputs"/> (bounding box -> file path) and returns the facts of the source.
    /// </summary>
    /// <exception cref="ImageTooLargeException">More than <paramref name="maxPixels"/> pixels; nothing was decoded.</exception>
    /// <exception cref="ImageUnreadableException">Not decodable.</exception>
    public static ImageFacts Make(string sourcePath, IReadOnlyList<(int BoundingBox, string OutputPath)> outputs, long maxPixels)
    {
        using var codec = Open(sourcePath);
        var facts = Facts(codec);
        if ((long)codec.Info.Width * codec.Info.Height > maxPixels)
        {
            throw new ImageTooLargeException(facts, maxPixels);
        }

        var largest = outputs.Count == 0 ? 0 : outputs.Max(o => o.BoundingBox);
        using var decoded = Decode(codec, largest);
        // Largest first, each made from a halving chain of the one before: cheap, and without the aliasing a single
        // big downscale (4000 -> 128 px) would leave.
        var current = SKImage.FromBitmap(decoded);
        try
        {
            foreach (var (box, outputPath) in outputs.OrderByDescending(o => o.BoundingBox))
            {
                var (width, height) = FitBox(facts, box);
                var targetLongSide = Math.Max(width, height);
                while (Math.Max(current.Width, current.Height) >= targetLongSide * 2)
                {
                    var half = Halve(current);
                    current.Dispose();
                    current = half;
                }

                WriteThumbnail(current, codec.EncodedOrigin, width, height, outputPath);
            }
        }
        finally
        {
            current.Dispose();
        }

        return facts;
    }

    private static SKCodec Open(string path)
    {
        var codec = SKCodec.Create(path, out var result);
        if (codec is null)
        {
            throw new ImageUnreadableException($"The image could not be read: {Describe(result)}.");
        }

        if (codec.Info.Width <= 0 || codec.Info.Height <= 0)
        {
            codec.Dispose();
            throw new ImageUnreadableException("The image could not be read: it has no pixels.");
        }

        return codec;
    }

    private static ImageFacts Facts(SKCodec codec)
    {
        var (width, height) = (codec.Info.Width, codec.Info.Height);
        var swapped = SwapsSides(codec.EncodedOrigin);
        return new ImageFacts(swapped ? height : width, swapped ? width : height, Rotation(codec.EncodedOrigin));
    }

    /// <summary>
    /// Decodes at the smallest scale the codec supports that still covers <paramref name="largestBox"/> on the long side
    /// (JPEG: 1/2, 1/4, 1/8), else at full size. A truncated file decodes as far as it goes (the rest stays blank), like a browser shows it.
    /// </summary>
    private static SKBitmap Decode(SKCodec codec, int largestBox)
    {
        var full = codec.Info;
        var longSide = Math.Max(full.Width, full.Height);
        var size = full.Size;
        if (largestBox > 0 && longSide > largestBox)
        {
            var scaled = codec.GetScaledDimensions((float)largestBox / longSide);
            if (Math.Max(scaled.Width, scaled.Height) >= largestBox && scaled.Width > 0 && scaled.Height > 0)
            {
                size = scaled;
            }
        }

        var alpha = full.AlphaType == SKAlphaType.Opaque ? SKAlphaType.Opaque : SKAlphaType.Premul;
        var info = new SKImageInfo(size.Width, size.Height, SKImageInfo.PlatformColorType, alpha, SKColorSpace.CreateSrgb());
        var bitmap = new SKBitmap(info);
        try
        {
            var result = codec.GetPixels(info, bitmap.GetPixels());
            if (result == SKCodecResult.InvalidScale && size != full.Size)
            {
                bitmap.Dispose();
                info = info.WithSize(full.Width, full.Height);
                bitmap = new SKBitmap(info);
                result = codec.GetPixels(info, bitmap.GetPixels());
            }

            if (result is not (SKCodecResult.Success or SKCodecResult.IncompleteInput))
            {
                throw new ImageUnreadableException($"The image could not be read: {Describe(result)}.");
            }

            return bitmap;
        }
        catch
        {
            bitmap.Dispose();
            throw;
        }
    }

    /// <summary>The upright size of the thumbnail for a bounding box: aspect kept, never larger than the picture.</summary>
    public static (int Width, int Height) FitBox(ImageFacts facts, int box)
    {
        var scale = Math.Min(1.0, (double)box / Math.Max(facts.Width, facts.Height));
        return (Math.Max(1, (int)Math.Round(facts.Width * scale)), Math.Max(1, (int)Math.Round(facts.Height * scale)));
    }

    private static SKImage Halve(SKImage image)
    {
        var info = new SKImageInfo((image.Width + 1) / 2, (image.Height + 1) / 2, SKImageInfo.PlatformColorType, OutputAlpha(image), SKColorSpace.CreateSrgb());
        using var surface = Surface(info);
        surface.Canvas.Clear(SKColors.Transparent);
        using var paint = new SKPaint();
        // Bilinear sampling at exactly half the size averages each 2x2 block.
        surface.Canvas.DrawImage(image, SKRect.Create(info.Width, info.Height), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None), paint);
        return surface.Snapshot();
    }

    private static void WriteThumbnail(SKImage image, SKEncodedOrigin origin, int width, int height, string outputPath)
    {
        var info = new SKImageInfo(width, height, SKImageInfo.PlatformColorType, OutputAlpha(image), SKColorSpace.CreateSrgb());
        using var surface = Surface(info);
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.Transparent);
        // Draw the stored picture into the upright frame: the orientation's transform, then the picture scaled to it.
        var swapped = SwapsSides(origin);
        canvas.SetMatrix(OrientationMatrix(origin, width, height));
        using var paint = new SKPaint();
        canvas.DrawImage(image, SKRect.Create(swapped ? height : width, swapped ? width : height), new SKSamplingOptions(SKCubicResampler.Mitchell), paint);
        canvas.Flush();

        using var snapshot = surface.Snapshot();
        using var pixels = snapshot.PeekPixels();
        using var file = new FileStream(outputPath, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        if (!pixels.Encode(file, new SKWebpEncoderOptions(SKWebpEncoderCompression.Lossy, WebpQuality)))
        {
            throw new InvalidOperationException("WebP encoding failed.");
        }

        file.Flush(flushToDisk: true);
    }

    private static SKAlphaType OutputAlpha(SKImage image) => image.AlphaType == SKAlphaType.Opaque ? SKAlphaType.Opaque : SKAlphaType.Premul;

    private static SKSurface Surface(SKImageInfo info) =>
        SKSurface.Create(info) ?? throw new InvalidOperationException($"Could not allocate a {info.Width}x{info.Height} surface.");

    /// <summary>
    /// Maps a point (x, y) of the stored picture, already scaled, onto the upright output of <paramref name="width"/> x
    /// <paramref name="height"/>: the eight EXIF orientations as flips and quarter turns.
    /// </summary>
    public static SKMatrix OrientationMatrix(SKEncodedOrigin origin, int width, int height) => origin switch
    {
        SKEncodedOrigin.TopRight => new SKMatrix(-1, 0, width, 0, 1, 0, 0, 0, 1),
        SKEncodedOrigin.BottomRight => new SKMatrix(-1, 0, width, 0, -1, height, 0, 0, 1),
        SKEncodedOrigin.BottomLeft => new SKMatrix(1, 0, 0, 0, -1, height, 0, 0, 1),
        SKEncodedOrigin.LeftTop => new SKMatrix(0, 1, 0, 1, 0, 0, 0, 0, 1),
        SKEncodedOrigin.RightTop => new SKMatrix(0, -1, width, 1, 0, 0, 0, 0, 1),
        SKEncodedOrigin.RightBottom => new SKMatrix(0, -1, width, -1, 0, height, 0, 0, 1),
        SKEncodedOrigin.LeftBottom => new SKMatrix(0, 1, 0, -1, 0, height, 0, 0, 1),
        _ => SKMatrix.Identity,
    };

    private static bool SwapsSides(SKEncodedOrigin origin) =>
        origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;

    /// <summary>Clockwise degrees the orientation turns the picture (mirroring aside).</summary>
    private static int Rotation(SKEncodedOrigin origin) => origin switch
    {
        SKEncodedOrigin.BottomRight or SKEncodedOrigin.BottomLeft => 180,
        SKEncodedOrigin.RightTop or SKEncodedOrigin.LeftTop => 90,
        SKEncodedOrigin.LeftBottom or SKEncodedOrigin.RightBottom => 270,
        _ => 0,
    };

    private static string Describe(SKCodecResult result) => result switch
    {
        SKCodecResult.IncompleteInput => "the file is cut short",
        SKCodecResult.ErrorInInput or SKCodecResult.InvalidInput => "the picture data is corrupt",
        SKCodecResult.Unimplemented => "this kind of picture is not supported",
        _ => "not a picture this server can decode",
    };
}

using System.Globalization;
using System.Text.Json;

namespace AioStorage.Worker.Media;

/// <summary>What ffprobe found: the container, its duration, and the first real video and audio streams.</summary>
public sealed record MediaProbe(string FormatName, double? DurationSeconds, VideoStreamInfo? Video, AudioStreamInfo? Audio);

/// <param name="Index">The stream's index in the input, for <c>-map 0:Index</c>.</param>
/// <param name="Width">Coded width, as stored.</param>
/// <param name="Rotation">Clockwise degrees the picture is turned when shown (0, 90, 180 or 270).</param>
/// <param name="DisplayWidth">Width as shown: pixel aspect ratio applied, then turned by <paramref name="Rotation"/>.
/// ffmpeg turns the picture itself before any filter (autorotate), so outputs are planned from these.</param>
public sealed record VideoStreamInfo(int Index, string Codec, int Width, int Height, int Rotation, int DisplayWidth, int DisplayHeight);

public sealed record AudioStreamInfo(int Index, string Codec, int? Channels, int? SampleRate);

/// <summary>Reads <c>ffprobe -print_format json -show_format -show_streams</c> output (see <see cref="FfmpegArguments.Probe"/>).</summary>
public static class FfprobeOutput
{
    /// <exception cref="FormatException">Not ffprobe's JSON.</exception>
    public static MediaProbe Parse(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"ffprobe's output is not JSON: {ex.Message}", ex);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("ffprobe's output is not a JSON object.");
            }

            var format = root.TryGetProperty("format", out var f) && f.ValueKind == JsonValueKind.Object ? f : default;
            var streams = root.TryGetProperty("streams", out var s) && s.ValueKind == JsonValueKind.Array
                ? s.EnumerateArray().ToList()
                : [];

            VideoStreamInfo? video = null;
            AudioStreamInfo? audio = null;
            double? streamDuration = null;
            foreach (var stream in streams)
            {
                var type = String(stream, "codec_type");
                if (video is null && type == "video" && !IsAttachedPicture(stream) && ReadVideo(stream) is { } v)
                {
                    video = v;
                    streamDuration = Number(stream, "duration");
                }
                else if (audio is null && type == "audio")
                {
                    audio = new AudioStreamInfo(Int(stream, "index") ?? 0, String(stream, "codec_name") ?? "unknown",
                        Int(stream, "channels"), Int(stream, "sample_rate"));
                    streamDuration ??= Number(stream, "duration");
                }
            }

            var duration = format.ValueKind == JsonValueKind.Object ? Number(format, "duration") : null;
            duration ??= streamDuration;
            var formatName = format.ValueKind == JsonValueKind.Object ? String(format, "format_name") ?? "unknown" : "unknown";
            return new MediaProbe(formatName, duration is > 0 and < 1e9 ? duration : null, video, audio);
        }
    }

    /// <summary>Cover art in audio files and thumbnails in MP4s are "video" streams of one picture: not the video.</summary>
    private static bool IsAttachedPicture(JsonElement stream) =>
        stream.TryGetProperty("disposition", out var disposition) && disposition.ValueKind == JsonValueKind.Object
        && Int(disposition, "attached_pic") == 1;

    private static VideoStreamInfo? ReadVideo(JsonElement stream)
    {
        var width = Int(stream, "width") ?? 0;
        var height = Int(stream, "height") ?? 0;
        if (width <= 0 || height <= 0)
        {
            return null;
        }

        var rotation = NormaliseRotation(Rotation(stream));
        var displayWidth = width;
        if (String(stream, "sample_aspect_ratio") is { } sar && ParseRatio(sar) is { } ratio && Math.Abs(ratio - 1) > 1e-6)
        {
            displayWidth = Math.Max(1, (int)Math.Round(width * ratio));
        }

        var (shownWidth, shownHeight) = rotation is 90 or 270 ? (height, displayWidth) : (displayWidth, height);
        return new VideoStreamInfo(Int(stream, "index") ?? 0, String(stream, "codec_name") ?? "unknown", width, height, rotation,
            shownWidth, shownHeight);
    }

    /// <summary>
    /// The display matrix's rotation (ffprobe reports it counter-clockwise, e.g. -90 for a phone held upright), or the
    /// older <c>rotate</c> tag (clockwise); returned clockwise.
    /// </summary>
    private static double Rotation(JsonElement stream)
    {
        if (stream.TryGetProperty("side_data_list", out var sideData) && sideData.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in sideData.EnumerateArray())
            {
                if (String(item, "side_data_type") == "Display Matrix" && Number(item, "rotation") is { } degrees)
                {
                    return -degrees;
                }
            }
        }

        if (stream.TryGetProperty("tags", out var tags) && tags.ValueKind == JsonValueKind.Object && Number(tags, "rotate") is { } tag)
        {
            return tag;
        }

        return 0;
    }

    /// <summary>To 0, 90, 180 or 270 (the nearest quarter turn): nothing else can be shown without cropping.</summary>
    public static int NormaliseRotation(double degrees)
    {
        var quarter = (int)Math.Round(degrees / 90.0);
        return ((quarter % 4) + 4) % 4 * 90;
    }

    private static double? ParseRatio(string value)
    {
        var parts = value.Split(':');
        return parts.Length == 2
               && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var n)
               && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
               && n > 0 && d > 0
            ? n / d
            : null;
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>ffprobe writes most numbers as strings ("2.000000", "44100") and some as numbers.</summary>
    private static double? Number(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.Number => value.GetDouble(),
            JsonValueKind.String when double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed)
                                      && double.IsFinite(parsed) => parsed,
            _ => null,
        };
    }

    private static int? Int(JsonElement element, string name) =>
        Number(element, name) is { } n && n is >= int.MinValue and <= int.MaxValue ? (int)n : null;
}

using System.Globalization;

namespace AioStorage.Web.Components.Shared;

/// <summary>
/// Dates and times in the browser's time zone (the server cannot know it until the page tells it), in the invariant
/// English of the rest of the interface. Until the zone is known, times are shown in UTC.
/// </summary>
public sealed class LocalTime(TimeProvider time)
{
    private static readonly CultureInfo Culture = CultureInfo.InvariantCulture;

    public TimeZoneInfo Zone { get; private set; } = TimeZoneInfo.Utc;

    public void UseZone(string? ianaId)
    {
        if (!string.IsNullOrWhiteSpace(ianaId) && TimeZoneInfo.TryFindSystemTimeZoneById(ianaId, out var zone))
        {
            Zone = zone;
        }
    }

    /// <summary>For listings: the time today, the day this year, the full date before that.</summary>
    public string Short(DateTimeOffset moment)
    {
        var local = ToLocal(moment);
        var today = ToLocal(time.GetUtcNow()).Date;
        return local.Date == today
            ? local.ToString("HH:mm", Culture)
            : local.Year == today.Year
                ? local.ToString("d MMM", Culture)
                : local.ToString("d MMM yyyy", Culture);
    }

    public string Full(DateTimeOffset moment) =>
        ToLocal(moment).ToString("d MMMM yyyy, HH:mm", Culture) + (Zone == TimeZoneInfo.Utc ? " UTC" : "");

    public string Date(DateTimeOffset moment) => ToLocal(moment).ToString("d MMMM yyyy", Culture);

    /// <summary>"5 minutes ago" for the recent past; clocks a little ahead of ours count as "just now".</summary>
    public string Relative(DateTimeOffset moment)
    {
        var age = time.GetUtcNow() - moment;
        return age.TotalSeconds switch
        {
            < 60 => "just now",
            < 3600 => Plural((int)age.TotalMinutes, "minute") + " ago",
            < 86400 => Plural((int)age.TotalHours, "hour") + " ago",
            _ when ToLocal(moment).Date == ToLocal(time.GetUtcNow()).Date.AddDays(-1) => "yesterday at " + ToLocal(moment).ToString("HH:mm", Culture),
            _ => Short(moment),
        };
    }

    /// <summary>The moment as an ISO 8601 value for <c>&lt;time datetime&gt;</c>.</summary>
    public static string Machine(DateTimeOffset moment) => moment.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", Culture);

    private DateTime ToLocal(DateTimeOffset moment) => TimeZoneInfo.ConvertTime(moment, Zone).DateTime;

    private static string Plural(int count, string unit) => count == 1 ? $"1 {unit}" : $"{count} {unit}s";
}

using System.Globalization;

namespace AioStorage.Web.Components.Shared;

public static class Format
{
    private static readonly string[] ByteUnits = ["bytes", "KB", "MB", "GB", "TB", "PB"];

    /// <summary>Binary multiples with the familiar short names, as file managers show them.</summary>
    public static string Bytes(long bytes)
    {
        double value = bytes;
        var unit = 0;
        while (Math.Abs(value) >= 1024 && unit < ByteUnits.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{bytes} {ByteUnits[0]}")
            : string.Create(CultureInfo.InvariantCulture, $"{value:0.#} {ByteUnits[unit]}");
    }

    public static string Milliseconds(double milliseconds) => milliseconds switch
    {
        < 10 => string.Create(CultureInfo.InvariantCulture, $"{milliseconds:0.0} ms"),
        < 1000 => string.Create(CultureInfo.InvariantCulture, $"{milliseconds:0} ms"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{milliseconds / 1000:0.0} s"),
    };

    /// <summary>A running time as players show it: <c>0:42</c>, <c>12:05</c>, <c>1:02:03</c>.</summary>
    public static string Duration(double seconds)
    {
        var time = TimeSpan.FromSeconds(Math.Round(Math.Max(0, seconds)));
        return time.ToString(time.TotalHours >= 1 ? @"h\:mm\:ss" : @"m\:ss", CultureInfo.InvariantCulture);
    }

    /// <summary>The web server's clock and the api's are both shown in UTC, so the two can be compared.</summary>
    public static string Time(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    public static string Date(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("d MMMM yyyy", CultureInfo.InvariantCulture);
}

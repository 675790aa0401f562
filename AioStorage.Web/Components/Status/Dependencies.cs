using AioStorage.Web.Api;

namespace AioStorage.Web.Components.Status;

/// <summary>How the status page names and draws the api's health checks; checks it does not know keep their own name.</summary>
public static class Dependencies
{
    private static readonly Dictionary<string, (string Name, string Icon)> Known = new(StringComparer.OrdinalIgnoreCase)
    {
        ["metadata"] = ("Metadata database", "database"),
        ["mongodb"] = ("MongoDB", "database"),
        ["sqlite"] = ("SQLite", "database"),
        ["redis"] = ("Redis", "zap"),
        ["rabbitmq"] = ("RabbitMQ", "layers"),
        ["storage"] = ("File storage", "hard-drive"),
        ["worker"] = ("Workers", "cpu"),
    };

    public static string DisplayName(string key) =>
        Known.TryGetValue(key, out var known) ? known.Name
        : key.Length == 0 ? key
        : char.ToUpperInvariant(key[0]) + key[1..];

    public static string Icon(string key) => Known.TryGetValue(key, out var known) ? known.Icon : "server";

    public static string CssClass(HealthState state) => state switch
    {
        HealthState.Healthy => "healthy",
        HealthState.Degraded => "degraded",
        _ => "unhealthy",
    };

    public static string Label(HealthState state) => state switch
    {
        HealthState.Healthy => "Healthy",
        HealthState.Degraded => "Degraded",
        _ => "Unhealthy",
    };

    public static string StateIcon(HealthState state) => state switch
    {
        HealthState.Healthy => "check",
        HealthState.Degraded => "alert",
        _ => "x",
    };
}

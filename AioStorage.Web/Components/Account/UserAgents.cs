namespace AioStorage.Web.Components.Account;

/// <summary>A User-Agent in the words people use for their devices: "Firefox on Windows".</summary>
public static class UserAgents
{
    public static string Describe(string? userAgent)
    {
        if (string.IsNullOrWhiteSpace(userAgent))
        {
            return "Unknown device";
        }

        var browser = Browser(userAgent);
        var system = OperatingSystem(userAgent);
        return system is null ? browser : $"{browser} on {system}";
    }

    public static bool IsMobile(string? userAgent) =>
        userAgent is not null && (Has(userAgent, "Mobile") || Has(userAgent, "Android") || Has(userAgent, "iPhone"));

    // Order matters: Edge and Opera also say Chrome, Chrome also says Safari.
    private static string Browser(string agent) => agent switch
    {
        _ when Has(agent, "Edg/") || Has(agent, "EdgA/") || Has(agent, "EdgiOS/") => "Edge",
        _ when Has(agent, "OPR/") || Has(agent, "Opera") => "Opera",
        _ when Has(agent, "Firefox/") || Has(agent, "FxiOS/") => "Firefox",
        _ when Has(agent, "HeadlessChrome/") => "Chrome (headless)",
        _ when Has(agent, "Chrome/") || Has(agent, "Chromium/") || Has(agent, "CriOS/") => "Chrome",
        _ when Has(agent, "Safari/") && Has(agent, "Version/") => "Safari",
        _ => agent.Split('/', ' ')[0],
    };

    private static string? OperatingSystem(string agent) => agent switch
    {
        _ when Has(agent, "Windows") => "Windows",
        _ when Has(agent, "Android") => "Android",
        _ when Has(agent, "iPhone") => "iOS",
        _ when Has(agent, "iPad") => "iPadOS",
        _ when Has(agent, "Mac OS X") || Has(agent, "Macintosh") => "macOS",
        _ when Has(agent, "CrOS") => "ChromeOS",
        _ when Has(agent, "Linux") || Has(agent, "X11") => "Linux",
        _ => null,
    };

    private static bool Has(string agent, string token) => agent.Contains(token, StringComparison.OrdinalIgnoreCase);
}

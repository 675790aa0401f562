using Microsoft.AspNetCore.Components;

namespace AioStorage.Web.Auth;

/// <summary>Where sign-in sends people back to, kept to this site so a crafted link cannot send them elsewhere.</summary>
public static class ReturnUrls
{
    public const string SessionEndedReason = "session-ended";

    public static string SignIn(NavigationManager navigation, bool sessionEnded)
    {
        var returnUrl = navigation.ToBaseRelativePath(navigation.Uri);
        var address = $"signin?returnUrl={Uri.EscapeDataString(returnUrl)}";
        return sessionEnded ? $"{address}&reason={SessionEndedReason}" : address;
    }

    /// <summary><paramref name="returnUrl"/> when it stays under <paramref name="baseUri"/>, otherwise <paramref name="fallback"/>.</summary>
    public static string Local(string? returnUrl, string baseUri, string fallback)
    {
        if (string.IsNullOrWhiteSpace(returnUrl) || returnUrl.Contains('\\', StringComparison.Ordinal)
            || !Uri.TryCreate(baseUri, UriKind.Absolute, out var root)
            || !Uri.TryCreate(root, returnUrl, out var target))
        {
            return fallback;
        }

        return target.AbsoluteUri.StartsWith(root.AbsoluteUri, StringComparison.Ordinal) && target.AbsoluteUri != root.AbsoluteUri
            ? target.AbsoluteUri[root.AbsoluteUri.Length..]
            : fallback;
    }
}

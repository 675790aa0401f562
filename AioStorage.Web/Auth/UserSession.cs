using System.Security.Cryptography;
using System.Text.Json;
using AioStorage.Web.Api;
using Microsoft.AspNetCore.Components.Server.ProtectedBrowserStorage;

namespace AioStorage.Web.Auth;

/// <summary>Why nobody is signed in any more.</summary>
public enum SessionEnd
{
    /// <summary>The person signed out here; whoever did it decides where to go next.</summary>
    SignedOut,

    /// <summary>The api stopped accepting the token (expired, revoked, or signed out from another device).</summary>
    Ended,
}

/// <summary>
/// The signed-in account of one browser tab's circuit. The api's token is kept in the browser's local storage,
/// encrypted with the web's data-protection keys, so a reload keeps the session and script in the page cannot read it.
/// </summary>
public sealed class UserSession(ProtectedLocalStorage storage, AioStorageApiClient api, TimeProvider time, ILogger<UserSession> logger)
{
    public const string StorageKey = "aio-storage.session";

    /// <summary>
    /// The data-protection purpose of the stored session. Named here rather than left to the framework's default
    /// (derived from its own type names) so the format stays put across framework versions.
    /// </summary>
    public const string ProtectionPurpose = "AioStorage.Web.UserSession.v1";

    private string? browserUserAgent;

    public AuthResult? Current { get; private set; }

    /// <summary>False until the browser's stored session was read; before that nobody is known to be signed in or out.</summary>
    public bool IsRestored { get; private set; }

    /// <summary>Set when a session ends; null while signed in, and when nobody was signed in to begin with.</summary>
    public SessionEnd? LastEnd { get; private set; }

    /// <summary>Who the api is called as: the signed-in user from this browser, or null when nobody is signed in.</summary>
    public ApiCaller? Caller => Current is { Token: var token } ? new ApiCaller(token, browserUserAgent) : null;

    /// <summary>This browser without a user: for signing in and signing up.</summary>
    public ApiCaller Anonymous => new(null, browserUserAgent);

    public event Action? Changed;

    /// <summary>The browser's User-Agent, read from the request that opened the page (a circuit has no request of its own).</summary>
    public void UseBrowser(string? userAgent) => browserUserAgent ??= userAgent;

    /// <summary>Needs JavaScript interop, so call it once the circuit is interactive (after the first render).</summary>
    public async Task RestoreAsync()
    {
        if (IsRestored)
        {
            return;
        }

        try
        {
            var stored = await storage.GetAsync<AuthResult>(ProtectionPurpose, StorageKey);
            if (stored is { Success: true, Value: { } session })
            {
                if (session.ExpiresAt > time.GetUtcNow())
                {
                    Current = session;
                }
                else
                {
                    LastEnd = SessionEnd.Ended;
                    await storage.DeleteAsync(StorageKey);
                }
            }
        }
        catch (Exception ex) when (ex is CryptographicException or JsonException)
        {
            // Written with keys this server no longer has (a fresh container, say), or by an older web: that session is gone.
            logger.LogInformation(ex, "Discarding a stored session that cannot be decrypted");
            await storage.DeleteAsync(StorageKey);
        }

        IsRestored = true;
        Changed?.Invoke();
    }

    public async Task SignInAsync(AuthResult session)
    {
        Current = session;
        IsRestored = true;
        LastEnd = null;
        await storage.SetAsync(ProtectionPurpose, StorageKey, session);
        Changed?.Invoke();
    }

    /// <summary>Keeps the stored session's profile current (storage used changes as files come and go).</summary>
    public async Task UpdateUserAsync(UserProfile user)
    {
        if (Current is null || Current.User.Id != user.Id || Current.User == user)
        {
            return;
        }

        Current = Current with { User = user };
        await storage.SetAsync(ProtectionPurpose, StorageKey, Current);
        Changed?.Invoke();
    }

    public async Task SignOutAsync()
    {
        if (Caller is { } caller)
        {
            try
            {
                await api.LogoutAsync(caller);
            }
            catch (ApiException ex)
            {
                // Forgetting the token here still signs this browser out; the api drops it when it expires.
                logger.LogWarning(ex, "The api did not confirm the sign-out");
            }
        }

        await ForgetAsync(SessionEnd.SignedOut);
    }

    /// <summary>The api refused the token: forget it without asking the api to revoke what it no longer accepts.</summary>
    public Task EndAsync() => Current is null ? Task.CompletedTask : ForgetAsync(SessionEnd.Ended);

    private async Task ForgetAsync(SessionEnd reason)
    {
        Current = null;
        IsRestored = true;
        LastEnd = reason;
        await storage.DeleteAsync(StorageKey);
        Changed?.Invoke();
    }
}

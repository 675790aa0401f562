using System.Security.Cryptography;
using System.Text.Json;
using AioStorage.Web.Api;
using Microsoft.AspNetCore.Components.Server.ProtectedBrowserStorage;

namespace AioStorage.Web.Auth;

/// <summary>
/// The signed-in account of one browser tab's circuit. The api's token is kept in the browser's local storage,
/// encrypted with the web's data-protection keys, so a reload keeps the session and script in the page cannot read it.
/// </summary>
public sealed class UserSession(ProtectedLocalStorage storage, AioStorageApiClient api, TimeProvider time, ILogger<UserSession> logger)
{
    private const string StorageKey = "aio-storage.session";

    public AuthResult? Current { get; private set; }

    /// <summary>False until the browser's stored session was read; before that nobody is known to be signed in or out.</summary>
    public bool IsRestored { get; private set; }

    public event Action? Changed;

    /// <summary>Needs JavaScript interop, so call it once the circuit is interactive (after the first render).</summary>
    public async Task RestoreAsync()
    {
        if (IsRestored)
        {
            return;
        }

        try
        {
            var stored = await storage.GetAsync<AuthResult>(StorageKey);
            if (stored is { Success: true, Value: { } session } && session.ExpiresAt > time.GetUtcNow())
            {
                Current = session;
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
        await storage.SetAsync(StorageKey, session);
        Changed?.Invoke();
    }

    public async Task SignOutAsync()
    {
        if (Current is { Token: var token })
        {
            try
            {
                await api.LogoutAsync(token);
            }
            catch (ApiException ex)
            {
                // Forgetting the token here still signs this browser out; the api drops it when it expires.
                logger.LogWarning(ex, "The api did not confirm the sign-out");
            }
        }

        Current = null;
        await storage.DeleteAsync(StorageKey);
        Changed?.Invoke();
    }
}

namespace AioStorage.Web.Api;

/// <summary>
/// On whose behalf the web calls the api: the signed-in user's bearer token (none for sign-in and sign-up) and the
/// browser's User-Agent. The api records the User-Agent with each session and audit event; without it every session
/// would show this web server's HTTP client instead of the device people recognise.
/// </summary>
public sealed record ApiCaller(string? BearerToken, string? UserAgent);

using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AioStorage.Core.Accounts;
using AioStorage.Core.Errors;

namespace AioStorage.Api.Http;

/// <summary>
/// Links that work without a bearer header: <c>uid</c>, <c>exp</c> and <c>sig</c>, an HMAC-SHA256 over the resource,
/// the user, the expiry and an optional scope. Each kind of link (<paramref name="purpose"/>) has its own key, derived
/// from the JWT secret by HKDF, so it is never the token key itself and a link of one kind never opens another.
/// Changing any part of a link breaks its signature.
/// </summary>
/// <param name="noun">What problems call the link ("download link").</param>
/// <param name="issuedBy">The route that hands such links out, named when one is missing or has expired.</param>
public sealed class LinkSigner(JwtOptions jwt, TimeProvider time, string purpose, string noun, string issuedBy)
{
    private readonly byte[] key = HKDF.DeriveKey(HashAlgorithmName.SHA256, jwt.SigningKey, 32, salt: [],
        info: Encoding.UTF8.GetBytes($"aio-storage {purpose} urls"));

    public string Sign(string resourceId, string userId, long expires, string? scope = null)
    {
        var signed = $"{resourceId}\n{userId}\n{expires.ToString(CultureInfo.InvariantCulture)}{(scope is null ? string.Empty : "\n" + scope)}";
        return Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(signed))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>The user the link was issued to, or why it cannot be used.</summary>
    public (string? UserId, string? Problem) Validate(string resourceId, string? userId, string? exp, string? signature, string? scope = null)
    {
        if (string.IsNullOrEmpty(userId) || string.IsNullOrEmpty(signature)
            || !long.TryParse(exp, NumberStyles.None, CultureInfo.InvariantCulture, out var expires))
        {
            return (null, $"The {noun} is incomplete: it needs uid, exp and sig.");
        }

        var expected = Encoding.ASCII.GetBytes(Sign(resourceId, userId, expires, scope));
        if (!CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signature)))
        {
            return (null, $"The {noun} is not valid for this route.");
        }

        return DateTimeOffset.FromUnixTimeSeconds(expires) <= time.GetUtcNow()
            ? (null, $"The {noun} has expired. Ask for a new one ({issuedBy}).")
            : (userId, null);
    }

    /// <summary>
    /// The user a request acts for: the one its link was issued to when it carries link parameters (a bad link is a 403
    /// problem, never a fall-back to the bearer), else the signed-in user; neither is a 401.
    /// </summary>
    public (string? UserId, IResult? Refusal) Caller(HttpContext http, string resourceId, string? uid, string? exp, string? sig, string? scope = null)
    {
        if (uid is not null || exp is not null || sig is not null)
        {
            var (linkUser, problem) = Validate(resourceId, uid, exp, sig, scope);
            return linkUser is null
                ? (null, TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: problem))
                : (linkUser, null);
        }

        return http.User.Identity?.IsAuthenticated == true
            ? (http.User.UserId(), null)
            : throw new AuthenticationFailedException($"Sign in first, or use a link from {issuedBy}.");
    }
}

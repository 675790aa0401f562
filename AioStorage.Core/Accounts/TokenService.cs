using System.Security.Claims;
using AioStorage.Core.Metadata;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace AioStorage.Core.Accounts;

public sealed record IssuedToken(string Token, string TokenId, DateTimeOffset ExpiresAt);

/// <summary>Signs HS256 bearer tokens with a <c>jti</c>, so a single session can be revoked.</summary>
public sealed class TokenService(JwtOptions options, TimeProvider time)
{
    private readonly SigningCredentials credentials = new(new SymmetricSecurityKey(options.SigningKey), SecurityAlgorithms.HmacSha256);
    private readonly JsonWebTokenHandler handler = new();

    public TimeSpan Lifetime => options.Lifetime;

    public IssuedToken Issue(UserRecord user)
    {
        var now = time.GetUtcNow();
        var expires = now + options.Lifetime;
        var tokenId = Ids.New();
        var token = handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = JwtOptions.Issuer,
            Audience = JwtOptions.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = credentials,
            Subject = new ClaimsIdentity(
            [
                new Claim(JwtRegisteredClaimNames.Sub, user.Id),
                new Claim(JwtRegisteredClaimNames.Jti, tokenId),
                new Claim(JwtRegisteredClaimNames.UniqueName, user.Username),
                new Claim(JwtRegisteredClaimNames.Email, user.Email),
            ]),
        });
        return new IssuedToken(token, tokenId, expires);
    }

    /// <summary>What the bearer handler checks: our issuer, audience and key, and expiry by our clock (testable).</summary>
    public TokenValidationParameters ValidationParameters() => new()
    {
        ValidIssuer = JwtOptions.Issuer,
        ValidAudience = JwtOptions.Audience,
        IssuerSigningKey = new SymmetricSecurityKey(options.SigningKey),
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        RequireExpirationTime = true,
        RequireSignedTokens = true,
        NameClaimType = JwtRegisteredClaimNames.UniqueName,
        LifetimeValidator = (notBefore, expires, _, _) =>
        {
            var now = time.GetUtcNow().UtcDateTime;
            return expires is not null && now < expires.Value && (notBefore is null || now >= notBefore.Value.AddMinutes(-1));
        },
    };
}

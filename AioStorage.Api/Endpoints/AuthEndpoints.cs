using System.IdentityModel.Tokens.Jwt;
using System.Security.Claims;
using AioStorage.Core.Accounts;
using AioStorage.Core.Errors;

namespace AioStorage.Api.Endpoints;

public sealed record RegisterRequest(string? Username, string? Email, string? Password);

public sealed record LoginRequest(string? Email, string? Password);

public static class AuthEndpoints
{
    public static RouteGroupBuilder MapAuthEndpoints(this RouteGroupBuilder api)
    {
        var auth = api.MapGroup("/auth").WithTags("Accounts");

        auth.MapPost("/register", async (RegisterRequest request, AccountService accounts, HttpContext http, CancellationToken ct) =>
            {
                var signedIn = await accounts.RegisterAsync(request.Username, request.Email, request.Password, http.Client(), ct);
                return TypedResults.Created("/api/v1/auth/me", ToResponse(signedIn));
            })
            .AllowAnonymous()
            .WithName("Register")
            .WithSummary("Create an account and sign in")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);

        auth.MapPost("/login", async (LoginRequest request, AccountService accounts, HttpContext http, CancellationToken ct) =>
                TypedResults.Ok(ToResponse(await accounts.LoginAsync(request.Email, request.Password, http.Client(), ct))))
            .AllowAnonymous()
            .WithName("Login")
            .WithSummary("Sign in with email and password")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        auth.MapGet("/me", async (ClaimsPrincipal user, AccountService accounts, CancellationToken ct) =>
                TypedResults.Ok(UserResponse.From(await accounts.GetAsync(user.UserId(), ct))))
            .WithName("GetCurrentUser")
            .WithSummary("The signed-in user, with storage used and quota");

        auth.MapPost("/logout", async (ClaimsPrincipal user, AccountService accounts, HttpContext http, CancellationToken ct) =>
            {
                await accounts.LogoutAsync(user.UserId(), TokenId(user), TokenExpiry(user), http.Client(), ct);
                return TypedResults.NoContent();
            })
            .WithName("Logout")
            .WithSummary("Sign out: this token stops working at once, on every replica");

        auth.MapGet("/sessions", async (ClaimsPrincipal user, AccountService accounts) =>
            {
                var current = TokenId(user);
                var sessions = await accounts.ListSessionsAsync(user.UserId());
                return TypedResults.Ok(sessions.Select(s => new SessionResponse(s.Id, s.CreatedAt, s.ExpiresAt, s.IpAddress, s.UserAgent, s.Id == current)).ToList());
            })
            .WithName("ListSessions")
            .WithSummary("Where this account is signed in");

        auth.MapDelete("/sessions/{id}", async (string id, ClaimsPrincipal user, AccountService accounts, HttpContext http, CancellationToken ct) =>
            {
                await accounts.RevokeSessionAsync(user.UserId(), id, http.Client(), ct);
                return TypedResults.NoContent();
            })
            .WithName("RevokeSession")
            .WithSummary("Sign out one session (another device, say)")
            .ProducesProblem(StatusCodes.Status404NotFound);

        return api;
    }

    private static AuthResponse ToResponse(SignedIn signedIn)
        => new(UserResponse.From(signedIn.User), signedIn.Token.Token, signedIn.Token.ExpiresAt);

    private static string TokenId(ClaimsPrincipal user)
        => user.FindFirstValue(JwtRegisteredClaimNames.Jti) ?? throw new AuthenticationFailedException("The token has no id.");

    private static DateTimeOffset TokenExpiry(ClaimsPrincipal user)
        => long.TryParse(user.FindFirstValue(JwtRegisteredClaimNames.Exp), out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : throw new AuthenticationFailedException("The token has no expiry.");
}

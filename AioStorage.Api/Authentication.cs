using System.IdentityModel.Tokens.Jwt;
using System.Security.Claims;
using AioStorage.Core.Accounts;
using AioStorage.Core.Audit;
using AioStorage.Core.Folders;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace AioStorage.Api;

internal static class Authentication
{
    /// <summary>
    /// Accounts, bearer tokens (HS256, revocable by <c>jti</c>), and a fallback policy so every route needs a signed-in
    /// user unless it says <c>AllowAnonymous</c>.
    /// </summary>
    public static WebApplicationBuilder AddAioAccounts(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var jwt = JwtOptions.From(configuration, builder.Environment.IsProduction());
        var iterations = configuration.GetValue("Auth:PasswordIterations", PasswordHasher.DefaultIterations);
        var services = builder.Services;
        services.AddSingleton(jwt);
        services.AddSingleton(new PasswordHasher(iterations));
        services.AddSingleton<TokenService>();
        services.AddSingleton<SessionStore>();
        services.AddSingleton(new LoginThrottleOptions(
            configuration.GetValue("Auth:MaxFailuresPerAccount", 5),
            configuration.GetValue("Auth:MaxFailuresPerAddress", 20),
            configuration.GetValue<TimeSpan?>("Auth:FailureWindow")));
        services.AddSingleton<LoginThrottle>();
        services.AddSingleton(new AccountOptions(configuration.GetValue("DEFAULT_STORAGE_QUOTA", AccountOptions.TenGiB)));
        services.AddScoped<AccountService>();
        services.AddSingleton<AuditWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<AuditWriter>());
        services.AddScoped<AuditLog>();
        services.AddSingleton<ListingCache>();
        services.AddScoped<FolderService>();

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(options =>
            {
                options.MapInboundClaims = false;
                options.Events = new JwtBearerEvents
                {
                    OnTokenValidated = async context =>
                    {
                        var tokenId = context.Principal?.FindFirstValue(JwtRegisteredClaimNames.Jti);
                        var sessionStore = context.HttpContext.RequestServices.GetRequiredService<SessionStore>();
                        if (tokenId is null || await sessionStore.IsRevokedAsync(tokenId))
                        {
                            context.Fail("The token has been revoked.");
                        }
                    },
                    OnChallenge = async context =>
                    {
                        context.HandleResponse();
                        var problems = context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>();
                        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                        context.Response.Headers.WWWAuthenticate = "Bearer";
                        await problems.WriteAsync(new ProblemDetailsContext
                        {
                            HttpContext = context.HttpContext,
                            ProblemDetails = new ProblemDetails
                            {
                                Status = StatusCodes.Status401Unauthorized,
                                Title = "Unauthorized",
                                Detail = context.AuthenticateFailure is null
                                    ? "Sign in first: this route needs a bearer token."
                                    : "The bearer token is invalid, expired or revoked. Sign in again.",
                            },
                        });
                    },
                };
            });
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<TokenService>((options, tokens) => options.TokenValidationParameters = tokens.ValidationParameters());
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        return builder;
    }

    public static string UserId(this ClaimsPrincipal user)
        => user.FindFirstValue(JwtRegisteredClaimNames.Sub) ?? throw new InvalidOperationException("An authenticated request without a subject.");

    public static ClientInfo Client(this HttpContext context)
        => new(context.Connection.RemoteIpAddress?.ToString(), context.Request.Headers.UserAgent.ToString() is { Length: > 0 } agent ? agent : null);
}

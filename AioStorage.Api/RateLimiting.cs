using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using AioStorage.Api.Endpoints;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

namespace AioStorage.Api;

internal static class RateLimiting
{
    /// <summary>
    /// Every caller (the signed-in user, else the client address) gets <c>RateLimiting:PermitsPerMinute</c> requests a
    /// minute (default 1200, generous for a UI listing folders and a tus client sending chunks); the worker ping, which
    /// costs a RabbitMQ message, gets 20. Refusals are 429 problems with Retry-After.
    /// </summary>
    public static WebApplicationBuilder AddAioRateLimiting(this WebApplicationBuilder builder)
    {
        var perMinute = builder.Configuration.GetValue("RateLimiting:PermitsPerMinute", 1200);
        builder.Services.AddRateLimiter(options =>
        {
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                RateLimitPartition.GetFixedWindowLimiter(Caller(context), _ => Window(perMinute)));
            options.AddPolicy(SystemEndpoints.PingRateLimit, context =>
                RateLimitPartition.GetFixedWindowLimiter(Caller(context), _ => Window(20)));
            options.OnRejected = async (rejected, cancellationToken) =>
            {
                var context = rejected.HttpContext;
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
                context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context,
                    ProblemDetails = new ProblemDetails
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Title = "Too many requests",
                        Detail = "Slow down: this client sent too many requests. Try again after the Retry-After delay.",
                    },
                });
            };
        });
        return builder;
    }

    private static string Caller(HttpContext context)
        => context.User.FindFirstValue("sub") is { } userId
            ? $"user:{userId}"
            : $"address:{context.Connection.RemoteIpAddress}";

    private static FixedWindowRateLimiterOptions Window(int permits) => new()
    {
        PermitLimit = permits,
        Window = TimeSpan.FromMinutes(1),
        QueueLimit = 0,
        AutoReplenishment = true,
    };
}

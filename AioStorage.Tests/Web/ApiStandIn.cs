using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AioStorage.Tests.Web;

/// <summary>
/// A tiny real HTTP server in place of the api process (which lives on another branch), answering the routes the
/// web calls with the contract's shapes. Tests switch its answers and read which requests it saw.
/// </summary>
internal sealed class ApiStandIn : IAsyncDisposable
{
    public const string GoodPassword = "correct horse battery";
    public const string BadLoginDetail = "No account matches that email address and password.";
    public const string WorkerName = "worker-7f3a";
    public const string Token = "token-for-ada";
    public const string FailedReason = "The stored content does not match its checksum.";

    private readonly WebApplication app;
    private int pingPolls;

    private ApiStandIn(WebApplication app) => this.app = app;

    public Uri Address { get; private set; } = default!;

    public ConcurrentQueue<string> Requests { get; } = new();

    public ConcurrentQueue<string?> Authorizations { get; } = new();

    public HealthAnswer Health { get; set; } = HealthAnswer.AllHealthy;

    public bool AccountsAvailable { get; set; } = true;

    public static async Task<ApiStandIn> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var standIn = new ApiStandIn(app);
        standIn.Map();
        await app.StartAsync();
        standIn.Address = new Uri(app.Urls.Single());
        return standIn;
    }

    public int Count(string request) => Requests.Count(r => r == request);

    public Task StopAsync() => app.StopAsync();

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    private void Map()
    {
        app.Use(async (context, next) =>
        {
            Requests.Enqueue($"{context.Request.Method} {context.Request.Path}");
            Authorizations.Enqueue(context.Request.Headers.Authorization.ToString());
            await next(context);
        });

        app.MapGet("/api/v1/health", () => Results.Json(Health.Body(), statusCode: Health.Status));

        app.MapPost("/api/v1/auth/login", (LoginBody body) =>
        {
            if (!AccountsAvailable)
            {
                return Results.NotFound();
            }

            return body.Password == GoodPassword
                ? Results.Ok(Session(body.Email))
                : Results.Problem(BadLoginDetail, statusCode: StatusCodes.Status401Unauthorized, title: "Sign-in failed");
        });

        app.MapPost("/api/v1/auth/register", () => AccountsAvailable
            ? Results.Problem("That username is already taken.", statusCode: StatusCodes.Status409Conflict, title: "Conflict")
            : Results.NotFound());

        app.MapPost("/api/v1/auth/logout", () => Results.NoContent());

        app.MapGet("/api/v1/folders/root", (HttpRequest request) => request.Headers.Authorization == $"Bearer {Token}"
            ? Results.Ok(RootListing())
            : Results.Problem("Sign in first: this route needs a bearer token.", statusCode: StatusCodes.Status401Unauthorized));

        app.MapPost("/api/v1/system/ping", () =>
            Results.Json(new { id = "ping-1", sentAt = DateTimeOffset.UtcNow }, statusCode: StatusCodes.Status202Accepted));

        app.MapGet("/api/v1/system/ping/{id}", (string id) =>
        {
            var sentAt = DateTimeOffset.UtcNow.AddMilliseconds(-42);
            // The first poll finds the message still queued, as it would be against a real worker.
            return Interlocked.Increment(ref pingPolls) == 1
                ? Results.Ok(new { id, status = "pending", sentAt })
                : Results.Ok(new { id, status = "completed", worker = WorkerName, sentAt, receivedAt = sentAt.AddMilliseconds(42.4), roundTripMs = 42.4 });
        });
    }

    private static object Session(string email) => new
    {
        user = new
        {
            id = "u-1",
            username = "ada",
            email,
            storageUsed = 1_610_612_736L,
            storageQuota = 10_737_418_240L,
            createdAt = new DateTimeOffset(2025, 3, 14, 9, 0, 0, TimeSpan.Zero),
            updatedAt = new DateTimeOffset(2025, 3, 14, 9, 0, 0, TimeSpan.Zero),
        },
        token = Token,
        expiresAt = DateTimeOffset.UtcNow.AddDays(7),
    };

    /// <summary>The root with files in it, which the real api cannot hold until uploads exist.</summary>
    private static object RootListing()
    {
        var at = new DateTimeOffset(2026, 3, 14, 9, 26, 0, TimeSpan.Zero);
        object File(string id, string name, long size, string mimeType, string status, string? reason = null) => new
        {
            id, name, folderId = (string?)null, size, mimeType, sha256 = new string('0', 64), status, statusReason = reason,
            createdAt = at, updatedAt = at, type = "file",
        };

        return new
        {
            folder = new { id = "root", name = "", parentId = (string?)null, createdAt = default(DateTimeOffset), updatedAt = default(DateTimeOffset), type = "folder" },
            ancestors = Array.Empty<object>(),
            items = new[]
            {
                new { id = "f-albums", name = "Albums", parentId = (string?)null, createdAt = at, updatedAt = at, type = "folder" },
                File("file-1", "holiday.jpg", 2_457_600, "image/jpeg", "ready"),
                File("file-2", "talk.mp4", 734_003_200, "video/mp4", "processing"),
                File("file-3", "notes.txt", 1_234, "text/plain; charset=utf-8", "failed", FailedReason),
                File("file-4", "backup.zip", 10_737_418, "application/zip", "ready"),
                File("file-5", "mystery.bin", 0, "application/octet-stream", "ready"),
            },
            page = 1,
            limit = 50,
            total = 6,
        };
    }

    private sealed record LoginBody(string Email, string Password);
}

/// <summary>What <c>GET /api/v1/health</c> answers: a status code and the report's checks, stamped when asked.</summary>
internal sealed record HealthAnswer(int Status, string Overall, params (string Name, string Status, string Description, double DurationMs)[] Checks)
{
    public static readonly HealthAnswer AllHealthy = new(200, "Healthy",
        ("metadata", "Healthy", "sqlite ok (/data/metadata/aio-storage.db)", 3.2),
        ("redis", "Healthy", "PING 0.4 ms", 1.1),
        ("rabbitmq", "Healthy", "AMQP connection open to localhost:5672", 2.7),
        ("storage", "Healthy", "/app/storage is writable, 182 GB free", 0.8));

    public static readonly HealthAnswer RabbitMqDown = new(503, "Unhealthy",
        ("metadata", "Healthy", "sqlite ok (/data/metadata/aio-storage.db)", 2.9),
        ("redis", "Healthy", "PING 0.5 ms", 1.3),
        ("rabbitmq", "Unhealthy", "rabbitmq: connection refused (localhost:5672)", 5001),
        ("storage", "Healthy", "/app/storage is writable, 182 GB free", 0.7));

    public object Body() => new
    {
        status = Overall,
        checks = Checks.ToDictionary(c => c.Name, c => new { status = c.Status, description = c.Description, durationMs = c.DurationMs }),
        timestamp = DateTimeOffset.UtcNow,
    };
}

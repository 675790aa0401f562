using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AioStorage.Api.Endpoints;

public static class HealthEndpoints
{
    public static RouteGroupBuilder MapHealthEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/health").WithTags("Health").AllowAnonymous();
        group.MapGet("/", GetHealth)
            .WithName("GetHealth")
            .WithSummary("Health of every dependency")
            .WithDescription("One check per dependency (metadata store, redis, rabbitmq, storage path). 200 when every one is healthy, 503 naming the failing ones otherwise. "
                + "status is degraded when the api still serves (Redis down: no cache, sessions fail open) and unhealthy when it cannot.")
            .Produces<HealthReportResponse>(StatusCodes.Status200OK)
            .Produces<HealthReportResponse>(StatusCodes.Status503ServiceUnavailable);
        return api;
    }

    private static async Task<IResult> GetHealth(HealthCheckService health, TimeProvider time, CancellationToken cancellationToken)
    {
        var report = await health.CheckHealthAsync(r => r.Tags.Contains(AioDependencies.DependencyTag), cancellationToken);
        var response = HealthReportResponse.From(report, time.GetUtcNow());
        // Every dependency is required: a degraded one still takes this replica out of a load balancer's rotation.
        return Results.Json(response, statusCode: report.Status == HealthStatus.Healthy
            ? StatusCodes.Status200OK
            : StatusCodes.Status503ServiceUnavailable);
    }
}

/// <param name="Status">healthy, degraded or unhealthy.</param>
/// <param name="Failing">names of the checks that are not healthy, so a 503 says at a glance what is down.</param>
public sealed record HealthReportResponse(string Status, IReadOnlyDictionary<string, HealthCheckResponse> Checks, IReadOnlyList<string> Failing, DateTimeOffset Timestamp)
{
    public static HealthReportResponse From(HealthReport report, DateTimeOffset now) => new(
        Name(report.Status),
        report.Entries.ToDictionary(e => e.Key, e => new HealthCheckResponse(
            Name(e.Value.Status),
            e.Value.Description ?? e.Value.Exception?.Message,
            Math.Round(e.Value.Duration.TotalMilliseconds, 1))),
        [.. report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy).Select(e => e.Key).Order(StringComparer.Ordinal)],
        now);

    private static string Name(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "healthy",
        HealthStatus.Degraded => "degraded",
        _ => "unhealthy",
    };
}

public sealed record HealthCheckResponse(string Status, string? Description, double DurationMs);

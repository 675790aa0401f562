namespace AioStorage.Web.Api;

/// <summary><c>GET /api/v1/health</c>: the same body with 200 (healthy) and 503 (a required dependency is down).</summary>
public sealed record HealthReport(string Status, IReadOnlyDictionary<string, HealthCheckEntry> Checks, DateTimeOffset Timestamp);

public sealed record HealthCheckEntry(string Status, string? Description, double? DurationMs);

/// <summary>A health report together with how the api answered and how long the web waited for it.</summary>
public sealed record HealthResult(int HttpStatus, HealthReport Report, TimeSpan Elapsed);

public enum HealthState
{
    Healthy,
    Degraded,
    Unhealthy,
}

public static class HealthStates
{
    /// <summary>Anything the web does not recognise counts as unhealthy: a status page must not hide trouble.</summary>
    public static HealthState Parse(string? status) => status?.Trim().ToLowerInvariant() switch
    {
        "healthy" => HealthState.Healthy,
        "degraded" => HealthState.Degraded,
        _ => HealthState.Unhealthy,
    };
}

public sealed record LoginRequest(string Email, string Password);

public sealed record RegisterRequest(string Username, string Email, string Password);

public sealed record UserProfile(
    string Id,
    string Username,
    string Email,
    long StorageUsed,
    long StorageQuota,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>What <c>POST /auth/login</c> and <c>POST /auth/register</c> answer.</summary>
public sealed record AuthResult(UserProfile User, string Token, DateTimeOffset ExpiresAt);

/// <summary><c>POST /api/v1/system/ping</c> answers 202 with this.</summary>
public sealed record PingAccepted(string Id, DateTimeOffset SentAt);

/// <summary><c>GET /api/v1/system/ping/{id}</c>.</summary>
public sealed record PingStatus(
    string Id,
    string Status,
    string? Worker,
    DateTimeOffset SentAt,
    DateTimeOffset? ReceivedAt,
    double? RoundTripMs)
{
    public bool IsCompleted => string.Equals(Status, "completed", StringComparison.OrdinalIgnoreCase);
}

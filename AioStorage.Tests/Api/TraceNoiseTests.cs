using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace AioStorage.Tests.Api;

/// <summary>What the dashboard's trace list shows: requests and jobs, not the health checks' Redis PINGs.</summary>
public sealed class TraceNoiseTests
{
    [Fact]
    public async Task A_redis_command_outside_any_request_is_not_exported_and_one_inside_a_request_is()
    {
        await using var api = new ApiFactory();
        var redis = api.Services.GetRequiredService<IConnectionMultiplexer>();
        var stopped = new ConcurrentQueue<(string Source, string Name, bool Recorded, bool HasParent)>();
        // Registered after the api's OpenTelemetry listener, so it sees each span after the processors ran.
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name.Contains("Redis", StringComparison.OrdinalIgnoreCase) || source.Name == "aio-test",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => stopped.Enqueue((activity.Source.Name, activity.DisplayName, activity.Recorded, activity.ParentSpanId != default)),
        };
        ActivitySource.AddActivityListener(listener);

        await redis.GetDatabase().PingAsync();
        using (var source = new ActivitySource("aio-test"))
        using (source.StartActivity("request"))
        {
            await redis.GetDatabase().StringGetAsync("aio:trace-noise");
        }

        // The Redis instrumentation turns commands into spans when it drains its profiling session: at the end of the
        // parent span, or on a timer (10 s) for commands made outside any.
        for (var waited = 0; waited < 150 && !stopped.Any(s => s.Source != "aio-test" && !s.HasParent); waited++)
        {
            await Task.Delay(100);
        }

        var redisSpans = stopped.Where(s => s.Source != "aio-test").ToList();
        Assert.Contains(redisSpans, s => !s.HasParent && !s.Recorded);
        Assert.Contains(redisSpans, s => s.HasParent && s.Recorded);
        Assert.DoesNotContain(redisSpans, s => !s.HasParent && s.Recorded);
    }
}

using System.Diagnostics;
using OpenTelemetry;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Keeps Redis commands that belong to no request or job out of the exported traces: the periodic health checks'
/// PINGs made two root traces a minute per process and buried the uploads people look for in the dashboard. A Redis
/// command inside a request or a job keeps its span. Clearing the Recorded flag before the exporter's processor sees
/// the span is how OpenTelemetry drops one span without touching its neighbours.
/// </summary>
internal sealed class UnparentedRedisSpanFilter : BaseProcessor<Activity>
{
    private const string RedisSource = "OpenTelemetry.Instrumentation.StackExchangeRedis";

    public override void OnEnd(Activity data)
    {
        if (data.Source.Name == RedisSource && data.ParentSpanId == default)
        {
            data.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
        }
    }
}

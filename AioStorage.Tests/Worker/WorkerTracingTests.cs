using System.Collections.Concurrent;
using System.Diagnostics;
using AioStorage.Core.Messaging;
using AioStorage.Core.Metadata;
using AioStorage.Tests.Messaging;
using AioStorage.Worker.Media;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace AioStorage.Tests.Worker;

/// <summary>One upload is one trace: the api's request, file.upload, the transcode it queues, and every ffmpeg run.</summary>
public sealed class WorkerTracingTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string ApiSourceName = "AioStorage.Tests.WorkerTracing";
    private static readonly ActivitySource Api = new(ApiSourceName);

    private readonly ConcurrentQueue<Activity> _stopped = new();
    private ActivityListener _listener = null!;
    private WorkerEnvironment _env = null!;

    public async Task InitializeAsync()
    {
        _listener = new ActivityListener
        {
            // RabbitMQ.Client's sources too, as the Aspire client listens to them: their spans then sit between ours.
            ShouldListenTo = s => s.Name is ApiSourceName or MessagingTelemetry.SourceName or WorkerTelemetry.SourceName
                                  || s.Name.StartsWith("RabbitMQ.Client", StringComparison.Ordinal),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
        _env = await WorkerEnvironment.CreateAsync(output, "media-tracing");
    }

    public async Task DisposeAsync()
    {
        _listener.Dispose();
        await _env.DisposeAsync();
    }

    [Fact]
    public async Task The_upload_trace_continues_through_processing_and_transcoding_into_each_ffmpeg_run()
    {
        var samples = await MediaSamples.GetAsync();
        using var worker = await _env.StartWorkerAsync("worker");
        var file = await _env.AddFileAsync("clip.mp4", samples.PortraitClip, "video/mp4");

        ActivityTraceId traceId;
        using (var request = Api.StartActivity("POST /api/v1/files/upload", ActivityKind.Server))
        {
            traceId = request!.TraceId;
            await worker.Services.GetRequiredService<IMessagePublisher>().PublishAsync(QueueNames.FileUpload, WorkerEnvironment.UploadedMessage(file));
        }

        await _env.WaitForStatusAsync(file.Id, FileStatus.Ready);
        await MessagingTestHost.WaitUntilAsync(() => Spans(traceId).Any(a => a.OperationName == $"process {QueueNames.VideoTranscode}"),
            "the transcode's process span to end");

        var spans = Spans(traceId);
        var upload = Assert.Single(spans, a => a.OperationName == $"process {QueueNames.FileUpload}");
        var transcode = Assert.Single(spans, a => a.OperationName == $"process {QueueNames.VideoTranscode}");
        Assert.Contains(spans, a => a.OperationName == $"send {QueueNames.VideoTranscode}" && IsBelow(spans, a, upload));
        Assert.True(IsBelow(spans, transcode, upload), "the transcode continues the upload's trace below its processing");
        // ffprobe and the poster frame under file.upload; ffprobe, HLS and MP4 under video.transcode.
        Assert.Equal(["ffmpeg", "ffprobe"], spans.Where(a => a.Source.Name == WorkerTelemetry.SourceName && a.OperationName != "thumbnails"
            && IsBelow(spans, a, upload) && !IsBelow(spans, a, transcode)).Select(a => a.OperationName).Order());
        Assert.Equal(["ffmpeg", "ffmpeg", "ffprobe"], spans.Where(a => a.Source.Name == WorkerTelemetry.SourceName && IsBelow(spans, a, transcode))
            .Select(a => a.OperationName).Order());
        Assert.Contains(spans, a => a.OperationName == "thumbnails" && IsBelow(spans, a, upload));
        Assert.All(spans.Where(a => a.Source.Name == WorkerTelemetry.SourceName && a.OperationName != "thumbnails"),
            a => Assert.Equal(0, a.GetTagItem("process.exit.code")));
    }

    private List<Activity> Spans(ActivityTraceId traceId) => _stopped.Where(a => a.TraceId == traceId).ToList();

    private static bool IsBelow(List<Activity> spans, Activity span, Activity ancestor)
    {
        for (var current = span; current is not null; current = spans.FirstOrDefault(a => a.SpanId == current.ParentSpanId))
        {
            if (current.ParentSpanId == ancestor.SpanId)
            {
                return true;
            }
        }

        return false;
    }
}

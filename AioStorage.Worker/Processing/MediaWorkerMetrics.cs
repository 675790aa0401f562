using System.Diagnostics;
using System.Diagnostics.Metrics;
using AioStorage.Core.Messaging;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace AioStorage.Worker.Processing;

/// <summary>
/// The worker's own instruments on the Meter <see cref="MeterName"/> (exported like every <c>AioStorage.*</c> meter, so
/// they show in the dashboard): media jobs by outcome, transcode durations, and the depth of every work queue and its
/// dead-letter queue. The messaging layer already counts messages and handler durations per queue; these say what the work was.
/// </summary>
public sealed partial class MediaWorkerMetrics : IDisposable
{
    public const string MeterName = "AioStorage.Worker";
    public const string JobTag = "aio.worker.job";
    public const string OutcomeTag = "aio.worker.outcome";

    public const string UploadJob = "upload";
    public const string TranscodeJob = "transcode";

    /// <summary>The content is ready: previews made, or (transcode) stream and MP4 made.</summary>
    public const string Ready = "ready";

    /// <summary>A video's previews are made and its transcode is queued.</summary>
    public const string TranscodeQueued = "transcode_queued";

    /// <summary>The input is corrupt: the file is marked failed, the message dead-lettered.</summary>
    public const string Failed = "failed";

    /// <summary>Nothing to do: the file is gone, has other content now, or was already processed (a redelivery).</summary>
    public const string Skipped = "skipped";

    /// <summary>A transient error: the message goes round the retry queues.</summary>
    public const string Error = "error";

    /// <summary>Queue depths are read from the broker at most this often, however often the exporter asks.</summary>
    public static readonly TimeSpan QueueDepthRefresh = TimeSpan.FromSeconds(5);

    private readonly Meter _meter;
    private readonly Counter<long> _jobs;
    private readonly Histogram<double> _transcodeDuration;
    private readonly IServiceProvider _services;
    private readonly MessagingTopology _topology;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private IReadOnlyList<Measurement<long>> _depths = [];
    private long? _refreshedAt;
    private IChannel? _channel;

    public MediaWorkerMetrics(IMeterFactory meterFactory, IServiceProvider services, MessagingTopology topology, TimeProvider time, ILogger<MediaWorkerMetrics> logger)
    {
        _services = services;
        _topology = topology;
        _time = time;
        _logger = logger;
        _meter = meterFactory.Create(MeterName);
        _jobs = _meter.CreateCounter<long>("aio.worker.media.jobs", "{job}", "Upload processing and transcode jobs, by outcome.");
        _transcodeDuration = _meter.CreateHistogram<double>("aio.worker.transcode.duration", "s", "Time to make a video's HLS renditions and MP4.");
        _meter.CreateObservableGauge("aio.worker.queue.depth", ObserveQueueDepths, "{message}",
            "Messages waiting in each work queue and dead-letter queue (read from the broker at most every 5 s).");
    }

    public void Job(string job, string outcome) =>
        _jobs.Add(1, new KeyValuePair<string, object?>(JobTag, job), new KeyValuePair<string, object?>(OutcomeTag, outcome));

    public void TranscodeDuration(TimeSpan elapsed, string outcome) =>
        _transcodeDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>(OutcomeTag, outcome));

    /// <summary>
    /// The exporter's callback must not block on the network: it returns the last depths read and, when they are older
    /// than <see cref="QueueDepthRefresh"/>, starts reading new ones in the background.
    /// </summary>
    private IEnumerable<Measurement<long>> ObserveQueueDepths()
    {
        if (_refreshedAt is not { } at || _time.GetElapsedTime(at) >= QueueDepthRefresh)
        {
            _ = RefreshQueueDepthsAsync();
        }

        return _depths;
    }

    /// <summary>Reads every queue's ready-message count with a passive declare (nothing is created). Used by the gauge and by tests.</summary>
    public async Task<IReadOnlyList<Measurement<long>>> RefreshQueueDepthsAsync()
    {
        if (!await _refreshing.WaitAsync(0))
        {
            return _depths;
        }

        try
        {
            _refreshedAt = _time.GetTimestamp();
            var depths = new List<Measurement<long>>();
            foreach (var queue in _topology.Queues.SelectMany(q => new[] { q.Name, q.DeadLetterQueue }))
            {
                var channel = await ChannelAsync();
                try
                {
                    var declared = await channel.QueueDeclarePassiveAsync(queue);
                    depths.Add(new Measurement<long>(declared.MessageCount, new KeyValuePair<string, object?>(MessagingTelemetry.QueueTag, queue)));
                }
                catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
                {
                    // Not declared yet: the 404 closed the channel, the next queue gets a new one.
                    _channel = null;
                }
            }

            _depths = depths;
        }
        catch (Exception ex)
        {
            LogQueueDepthFailed(_logger, ex.Message);
            _channel = null;
        }
        finally
        {
            _refreshing.Release();
        }

        return _depths;
    }

    private async Task<IChannel> ChannelAsync()
    {
        if (_channel is { IsOpen: true } open)
        {
            return open;
        }

        var connection = await Task.Run(_services.GetRequiredService<IConnection>).WaitAsync(TimeSpan.FromSeconds(10));
        // Outside any trace: a channel's dispatch loop keeps the execution context it was opened in.
        Activity.Current = null;
        _channel = await connection.CreateChannelAsync();
        return _channel;
    }

    public void Dispose()
    {
        // The meter belongs to the factory, which disposes it.
        _channel?.Dispose();
        _refreshing.Dispose();
    }

    [LoggerMessage(LogLevel.Debug, "Could not read queue depths: {Reason}")]
    private static partial void LogQueueDepthFailed(ILogger logger, string reason);
}

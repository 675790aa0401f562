using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using AioStorage.Core;
using AioStorage.Core.Blobs;
using AioStorage.Core.Configuration;
using AioStorage.Core.Media;
using AioStorage.Core.Messaging;
using AioStorage.Core.Messaging.Contracts;
using AioStorage.Core.Metadata;
using AioStorage.Tests.Infrastructure;
using AioStorage.Tests.Messaging;
using AioStorage.Worker.Processing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace AioStorage.Tests.Worker;

/// <summary>
/// What a worker process has, for one test: a storage folder and SQLite metadata database of its own (through the real
/// registrations), a RabbitMQ virtual host, and Redis. Worker hosts are wired like Program.cs; files are put in place the
/// way an upload leaves them (blob committed, record in "processing").
/// </summary>
internal sealed class WorkerEnvironment : IAsyncDisposable
{
    private readonly ITestOutputHelper _output;
    private readonly List<IHost> _hosts = [];
    private readonly List<string> _fileIds = [];
    private readonly ServiceProvider _setup;

    private WorkerEnvironment(ITestOutputHelper output, TestVirtualHost vhost, ConnectionMultiplexer redis, string root)
    {
        _output = output;
        VirtualHost = vhost;
        Redis = redis;
        Root = root;
        Storage = new StorageOptions(Path.Combine(root, "storage"));
        Metadata = new MetadataOptions(MetadataProvider.Sqlite, Path.Combine(root, "metadata", "aio-storage.db"));
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(Storage);
        services.AddMetadataStore(Metadata);
        services.AddSingleton<BlobStore>();
        services.AddSingleton<MediaStore>();
        _setup = services.BuildServiceProvider();
    }

    public TestVirtualHost VirtualHost { get; }
    public ConnectionMultiplexer Redis { get; }
    public string Root { get; }
    public StorageOptions Storage { get; }
    public MetadataOptions Metadata { get; }
    public string OwnerId { get; } = Ids.New();

    public INodeStore Nodes => _setup.GetRequiredService<INodeStore>();
    public BlobStore Blobs => _setup.GetRequiredService<BlobStore>();
    public MediaStore Media => _setup.GetRequiredService<MediaStore>();

    public static async Task<WorkerEnvironment> CreateAsync(ITestOutputHelper output, string purpose)
    {
        var vhost = await RabbitMqTestBroker.Instance.CreateVirtualHostAsync(purpose);
        var redis = await ConnectionMultiplexer.ConnectAsync(TestServices.Redis);
        var environment = new WorkerEnvironment(output, vhost, redis, Directory.CreateTempSubdirectory("aio-worker-").FullName);
        await environment._setup.GetRequiredService<IMetadataStoreInitializer>().InitializeAsync(CancellationToken.None);
        return environment;
    }

    /// <summary>Worker settings for tests: progress written often, everything else as configured by default.</summary>
    public static Dictionary<string, string?> DefaultSettings() => new()
    {
        ["Worker:ProgressInterval"] = "00:00:00.050",
        ["Worker:UploadConcurrency"] = "2",
        ["Worker:TranscodeConcurrency"] = "1",
    };

    /// <summary>A worker host with the file.upload and video.transcode consumers (unless <paramref name="consume"/> is false).</summary>
    public async Task<IHost> StartWorkerAsync(string name, bool consume = true, Action<Dictionary<string, string?>>? settings = null,
        TimeSpan? shutdownTimeout = null)
    {
        var values = DefaultSettings();
        settings?.Invoke(values);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var media = configuration.ReadMediaWorkerOptions();
        var host = await MessagingTestHost.StartAsync(VirtualHost, _output, name,
            consumers: consume
                ? m => m
                    .AddConsumer<FileUploaded, FileUploadedHandler>(QueueNames.FileUpload, media.ConfigureUploadConsumer)
                    .AddConsumer<VideoTranscodeRequested, VideoTranscodeHandler>(QueueNames.VideoTranscode, media.ConfigureTranscodeConsumer)
                : null,
            services: s =>
            {
                s.AddSingleton(Storage);
                s.AddMetadataStore(Metadata);
                s.AddSingleton<IConnectionMultiplexer>(Redis);
                s.AddMediaProcessing(configuration);
                s.AddScoped<FileUploadedHandler>();
                s.AddScoped<VideoTranscodeHandler>();
            },
            shutdownTimeout: shutdownTimeout);
        _hosts.Add(host);
        return host;
    }

    /// <summary>Stores <paramref name="content"/> as a new file of the owner, status processing, as an upload leaves it.</summary>
    public async Task<FileRecord> AddFileAsync(string name, byte[] content, string claimedType)
    {
        using var stream = new MemoryStream(content);
        return await AddFileAsync(name, stream, claimedType);
    }

    public async Task<FileRecord> AddFileAsync(string name, string sourcePath, string claimedType)
    {
        await using var stream = File.OpenRead(sourcePath);
        return await AddFileAsync(name, stream, claimedType);
    }

    private async Task<FileRecord> AddFileAsync(string name, Stream content, string claimedType)
    {
        using var staged = await Blobs.StageAsync(content, long.MaxValue, CancellationToken.None);
        await Blobs.CommitAsync(staged, CancellationToken.None);
        var now = DateTimeOffset.UtcNow;
        var file = new FileRecord
        {
            Id = Ids.New(),
            OwnerId = OwnerId,
            Name = name,
            Size = staged.Size,
            MimeType = claimedType,
            Sha256 = staged.Sha256,
            CurrentVersionId = Ids.New(),
            CreatedAt = now,
            UpdatedAt = now,
        };
        await Nodes.CreateAsync(file, CancellationToken.None);
        _fileIds.Add(file.Id);
        return file;
    }

    public static FileUploaded UploadedMessage(FileRecord file) =>
        new(file.Id, file.OwnerId, file.Sha256, file.Size, file.MimeType, file.CurrentVersionId!, file.CreatedAt);

    public async Task<FileRecord> GetAsync(string fileId) =>
        (FileRecord)(await Nodes.GetAsync(OwnerId, fileId, CancellationToken.None))!;

    public async Task<FileRecord> WaitForStatusAsync(string fileId, FileStatus status, TimeSpan? timeout = null)
    {
        FileRecord? file = null;
        await MessagingTestHost.WaitUntilAsync(async () => (file = await GetAsync(fileId)).Status == status,
            $"file {fileId} to become {status}", timeout ?? TimeSpan.FromSeconds(30));
        return file!;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.StopAsync();
            host.Dispose();
        }

        foreach (var fileId in _fileIds)
        {
            await Redis.GetDatabase().KeyDeleteAsync(ProcessingProgressStore.RedisKey(fileId));
        }

        await Redis.DisposeAsync();
        await VirtualHost.DisposeAsync();
        await _setup.DisposeAsync();
        Directory.Delete(Root, recursive: true);
    }
}

/// <summary>Collects what the worker meter of one host (its own IMeterFactory) reports.</summary>
internal sealed class WorkerMetricsCapture : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Instrument, double Value, Dictionary<string, string?> Tags)> _measurements = new();

    public WorkerMetricsCapture(IServiceProvider services)
    {
        var factory = services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MediaWorkerMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, factory))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    public void RecordObservables() => _listener.RecordObservableInstruments();

    public double Sum(string instrument, params (string Key, string Value)[] tags) =>
        Measurements(instrument, tags).Sum(m => m.Value);

    public int Count(string instrument, params (string Key, string Value)[] tags) => Measurements(instrument, tags).Count();

    public double? Last(string instrument, params (string Key, string Value)[] tags) =>
        Measurements(instrument, tags).Select(m => (double?)m.Value).LastOrDefault();

    private IEnumerable<(string Instrument, double Value, Dictionary<string, string?> Tags)> Measurements(string instrument, (string Key, string Value)[] tags) =>
        _measurements.Where(m => m.Instrument == instrument && tags.All(t => m.Tags.TryGetValue(t.Key, out var v) && v == t.Value));

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var map = new Dictionary<string, string?>();
        foreach (var tag in tags)
        {
            map[tag.Key] = tag.Value?.ToString();
        }

        _measurements.Enqueue((instrument.Name, value, map));
    }

    public void Dispose() => _listener.Dispose();
}

using System.Text.Json;
using AioStorage.Core.Configuration;
using AioStorage.Core.Media;
using AioStorage.Core.Messaging;
using AioStorage.Tests.Infrastructure;
using AioStorage.Worker.Processing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace AioStorage.Tests.Worker;

public sealed class MediaWorkerOptionsTests
{
    [Fact]
    public void Defaults_fit_the_machine_and_find_ffmpeg_on_the_path()
    {
        var options = Resolve([]);

        Assert.Equal(Math.Max(1, Environment.ProcessorCount / 2), options.TranscodeConcurrency);
        Assert.InRange(options.UploadConcurrency, 1, 4);
        Assert.Equal(("ffmpeg", "ffprobe", "veryfast", 23), (options.FfmpegPath, options.FfprobePath, options.VideoPreset, options.VideoQuality));
        Assert.NotNull(MediaWorkerOptions.ResolveExecutable("ffmpeg"));
    }

    [Fact]
    public void Consumers_are_sized_from_the_options()
    {
        var options = Resolve(new() { ["Worker:TranscodeConcurrency"] = "3", ["Worker:UploadConcurrency"] = "2" });
        var transcode = new ConsumerOptions();
        var upload = new ConsumerOptions();

        options.ConfigureTranscodeConsumer(transcode);
        options.ConfigureUploadConsumer(upload);

        Assert.Equal((3, 3), ((int)transcode.Concurrency!, (int)transcode.Prefetch!));
        Assert.Equal((2, 4), ((int)upload.Concurrency!, (int)upload.Prefetch!));
    }

    [Theory]
    [InlineData("Worker:FfmpegPath", "/nonexistent/ffmpeg", "Worker:FfmpegPath '/nonexistent/ffmpeg' is not an executable file")]
    [InlineData("Worker:FfprobePath", "no-such-ffprobe", "Worker:FfprobePath 'no-such-ffprobe' is not an executable file")]
    [InlineData("Worker:VideoPreset", "turbo", "Worker:VideoPreset must be one of")]
    [InlineData("Worker:TranscodeTimeout", "08:00:00", "Worker:StaleWorkAfter must be longer than Worker:TranscodeTimeout")]
    [InlineData("Worker:TranscodeConcurrency", "0", "TranscodeConcurrency")]
    [InlineData("Worker:VideoQuality", "60", "VideoQuality")]
    [InlineData("Worker:MaxImagePixels", "10", "MaxImagePixels")]
    public void Bad_settings_are_refused_with_a_readable_reason(string key, string value, string expected)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(new() { [key] = value }));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public async Task Progress_is_written_at_most_once_per_interval_but_always_at_the_end()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(TestServices.Redis);
        var store = new ProcessingProgressStore(redis, NullLogger<ProcessingProgressStore>.Instance);
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));
        var fileId = $"test-{Guid.NewGuid():N}";
        var sha = new string('c', 64);
        var reporter = new ProgressReporter(store, time, TimeSpan.FromSeconds(1), fileId, sha, "transcoding");
        try
        {
            await reporter.ReportAsync(10);
            await reporter.ReportAsync(20);
            Assert.Equal(10, (await store.GetAsync(fileId, sha))!.Percent);

            time.Advance(TimeSpan.FromSeconds(1));
            await reporter.ReportAsync(30.04);
            var progress = (await store.GetAsync(fileId, sha))!;
            Assert.Equal((30.0, "transcoding", time.GetUtcNow()), (progress.Percent, progress.Stage, progress.UpdatedAt));

            await reporter.ReportAsync(100);
            Assert.Equal(100, (await store.GetAsync(fileId, sha))!.Percent);
            var json = JsonDocument.Parse((string)(await redis.GetDatabase().StringGetAsync(ProcessingProgressStore.RedisKey(fileId)))!);
            Assert.Equal(sha, json.RootElement.GetProperty("sha256").GetString());
        }
        finally
        {
            await store.ClearAsync(fileId);
        }
    }

    private static MediaWorkerOptions Resolve(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(new StorageOptions(Path.GetTempPath()));
        services.AddMediaProcessing(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<MediaWorkerOptions>>().Value;
    }
}

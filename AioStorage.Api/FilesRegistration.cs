using System.Globalization;
using AioStorage.Api.Http;
using AioStorage.Core.Blobs;
using AioStorage.Core.Files;
using AioStorage.Core.Media;
using AioStorage.Core.Messaging;

namespace AioStorage.Api;

internal static class FilesRegistration
{
    /// <summary>
    /// Files, trash, blobs, the outbox, signed download links, and the worker's media products with their signed links
    /// and progress, configured from the seed's names.
    /// </summary>
    public static WebApplicationBuilder AddAioFiles(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var maxFileSize = configuration["MAX_FILE_SIZE"] is { Length: > 0 } text
            ? long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed > 0
                ? parsed
                : throw new InvalidOperationException($"MAX_FILE_SIZE must be a number of bytes, not '{text}'.")
            : FileLimits.DefaultMaxFileSize;
        var retentionDays = configuration.GetValue("TRASH_RETENTION_DAYS", TrashOptions.DefaultRetention.TotalDays);

        var services = builder.Services;
        services.AddSingleton(new FileLimits(maxFileSize));
        services.AddSingleton(new TrashOptions(TimeSpan.FromDays(retentionDays)));
        services.AddSingleton<BlobStore>();
        services.AddSingleton<Outbox>();
        services.AddHostedService<OutboxDispatcher>();
        services.AddSingleton<DownloadUrls>();
        services.AddSingleton<MediaStore>();
        services.AddSingleton<MediaUrls>();
        services.AddSingleton<ProcessingProgressStore>();
        services.AddScoped<FileService>();
        services.AddScoped<TrashService>();
        services.AddSingleton<HousekeepingService>();
        services.AddHostedService(sp => sp.GetRequiredService<HousekeepingService>());
        return builder;
    }
}

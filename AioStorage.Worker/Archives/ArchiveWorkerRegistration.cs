using AioStorage.Core.Archives;
using AioStorage.Core.Blobs;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AioStorage.Worker.Archives;

public static class ArchiveWorkerRegistration
{
    /// <summary>
    /// What the <c>file.download</c> consumer (<see cref="ArchiveRequestedHandler"/>) and the expiry cleaner need:
    /// <see cref="ArchiveOptions"/> (validated at start), the archive paths, the blob store to read content from.
    /// </summary>
    public static IHostApplicationBuilder AddAioArchiveProcessing(this IHostApplicationBuilder builder)
    {
        builder.Services.AddArchiveProcessing(builder.Configuration);
        return builder;
    }

    /// <summary>The same, on a service collection (tests build a worker host this way).</summary>
    public static IServiceCollection AddArchiveProcessing(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddArchiveOptions(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ArchiveFiles>();
        services.TryAddSingleton<BlobStore>();
        services.AddHostedService<ArchiveCleaner>();
        return services;
    }
}

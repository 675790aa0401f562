using AioStorage.Api.Endpoints;
using AioStorage.Core.Uploads;

namespace AioStorage.Api;

internal static class UploadsRegistration
{
    /// <summary>Resumable (tus) uploads: <c>UPLOAD_MAX_SIZE</c>, <c>UPLOAD_EXPIRES_IN</c>, their files, service and cleaner.</summary>
    public static WebApplicationBuilder AddAioResumableUploads(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton(ResumableUploadOptions.From(builder.Configuration));
        services.AddSingleton<UploadFiles>();
        services.AddSingleton<UploadHashes>();
        services.AddScoped<ResumableUploadService>();
        services.AddSingleton<UploadCleaner>();
        services.AddHostedService(sp => sp.GetRequiredService<UploadCleaner>());
        services.AddSingleton<IStartupFilter, TusConventions>();
        return builder;
    }

    /// <summary>
    /// Runs first, ahead of routing, authentication and rate limiting, for everything under /api/v1/uploads: every
    /// response there carries Tus-Resumable (a 401 or a 429 too), and a POST with <c>X-HTTP-Method-Override</c> (for
    /// clients behind proxies that drop PATCH or DELETE) is routed as the method it names, as tus requires.
    /// </summary>
    private sealed class TusConventions : IStartupFilter
    {
        private static readonly string[] Overridable = [HttpMethods.Patch, HttpMethods.Delete];

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                if (context.Request.Path.StartsWithSegments(UploadEndpoints.Path, StringComparison.OrdinalIgnoreCase))
                {
                    var request = context.Request;
                    if (HttpMethods.IsPost(request.Method)
                        && Overridable.FirstOrDefault(m => string.Equals(m, request.Headers["X-HTTP-Method-Override"], StringComparison.OrdinalIgnoreCase)) is { } method)
                    {
                        request.Method = method;
                    }

                    var response = context.Response;
                    response.OnStarting(() =>
                    {
                        response.Headers[UploadEndpoints.TusResumableHeader] = UploadEndpoints.TusVersion;
                        return Task.CompletedTask;
                    });
                }

                return nextMiddleware(context);
            });
            next(app);
        };
    }
}

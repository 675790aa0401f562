namespace AioStorage.Web.Api;

public static class ApiRegistration
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Registers <see cref="AioStorageApiClient"/> against <c>http://api</c>. Without Aspire's <c>services:api:http:0</c>
    /// the discovery entry is filled from <c>NEXT_PUBLIC_API_URL</c> (or the default), so one code path serves
    /// Aspire, compose and a bare <c>dotnet run</c>.
    /// </summary>
    public static WebApplicationBuilder AddAioStorageApi(this WebApplicationBuilder builder)
    {
        var endpoints = ApiEndpoints.From(builder.Configuration);
        if (string.IsNullOrWhiteSpace(builder.Configuration[ApiEndpoints.ServiceDiscoveryKey]))
        {
            builder.Configuration.AddInMemoryCollection([new(ApiEndpoints.ServiceDiscoveryKey, endpoints.Server.ToString())]);
        }

        builder.Services.AddSingleton(endpoints);
        var client = builder.Services.AddHttpClient<AioStorageApiClient>(http =>
        {
            http.BaseAddress = ApiEndpoints.DiscoveryBaseAddress;
            http.Timeout = RequestTimeout;
        });

        // The standard handler from the service defaults retries 5xx answers and refused connections for up to
        // half a minute. Every page here shows failures as they are and refreshes on its own, so retries would only
        // delay a 503 on the status page and repeat sign-ins. Evaluation-only API, but the one supported way to
        // opt a single client out of ConfigureHttpClientDefaults.
#pragma warning disable EXTEXP0001
        client.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        return builder;
    }
}

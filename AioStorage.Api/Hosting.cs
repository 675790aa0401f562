using System.Globalization;
using AioStorage.Api.Endpoints;

namespace AioStorage.Api;

/// <summary>Names the api's assembly for WebApplicationFactory: every project here has a top-level <c>Program</c>.</summary>
public sealed class ApiAssembly;

internal static class Hosting
{
    public const int DefaultApiPort = 4000;

    /// <summary>
    /// <c>API_PORT</c> (the seed's name) decides the port when set, even over the container image's ASPNETCORE_HTTP_PORTS;
    /// with no address configured at all the api listens on 4000, as documented.
    /// </summary>
    public static void UseSeedApiPort(this WebApplicationBuilder builder)
    {
        var configured = builder.Configuration["API_PORT"];
        if (!string.IsNullOrWhiteSpace(configured))
        {
            if (!int.TryParse(configured, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            {
                throw new InvalidOperationException($"API_PORT must be a port number, not '{configured}'.");
            }

            builder.WebHost.UseUrls($"http://+:{port}");
            return;
        }

        if (string.IsNullOrWhiteSpace(builder.Configuration["urls"]) && string.IsNullOrWhiteSpace(builder.Configuration["http_ports"]))
        {
            builder.WebHost.UseUrls($"http://+:{DefaultApiPort}");
        }
    }

    /// <summary>
    /// The web UI calls the api from the browser: allow its origins (<c>CORS_ORIGINS</c>, comma separated), any request
    /// header (tus sends its own), and let it read the tus response headers and Location.
    /// </summary>
    public static IServiceCollection AddWebOriginCors(this IServiceCollection services, IConfiguration configuration)
    {
        var origins = (configuration["CORS_ORIGINS"] ?? "http://localhost:3000")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return services.AddCors(options => options.AddDefaultPolicy(policy => policy
            .WithOrigins(origins)
            .AllowAnyHeader()
            .AllowAnyMethod()
            .AllowCredentials()
            .WithExposedHeaders(UploadEndpoints.ExposedHeaders)));
    }
}

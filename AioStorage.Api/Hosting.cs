using System.Globalization;
using AioStorage.Api.Endpoints;
using AioStorage.Api.Http;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection.Extensions;

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

    /// <summary>Kestrel receives and sends through <see cref="TransportMemoryPool"/>'s 32 KiB blocks (uploads need far fewer socket reads).</summary>
    public static void UseLargeTransportBlocks(this WebApplicationBuilder builder)
        => builder.Services.Replace(ServiceDescriptor.Singleton<IMemoryPoolFactory<byte>, TransportMemoryPoolFactory>());

    /// <summary>
    /// The web server calls the api on its users' behalf and says for whom in <c>X-Forwarded-For</c>: that address is
    /// believed only from loopback and the proxies in <c>TRUSTED_PROXIES</c> (comma-separated addresses or CIDR
    /// ranges), so nobody else can pick the address that sign-in throttling and the audit log see.
    /// </summary>
    public static IServiceCollection AddTrustedProxies(this IServiceCollection services, IConfiguration configuration)
        => services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            foreach (var entry in (configuration["TRUSTED_PROXIES"] ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var cidr = entry.Contains('/', StringComparison.Ordinal) ? entry : $"{entry}/{(entry.Contains(':', StringComparison.Ordinal) ? 128 : 32)}";
                if (System.Net.IPNetwork.TryParse(cidr, out var network))
                {
                    options.KnownIPNetworks.Add(network);
                }
                else
                {
                    throw new InvalidOperationException($"TRUSTED_PROXIES has '{entry}', which is not an address or a CIDR range (e.g. 172.18.0.0/16).");
                }
            }
        });

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

namespace AioStorage.Web.Api;

/// <summary>
/// Where the api is. The web server calls it through service discovery (<c>http://api</c>, resolved from
/// <c>services:api:http:0</c>); browsers reach it at <see cref="Public"/> (<c>NEXT_PUBLIC_API_URL</c>, the seed's name).
/// </summary>
public sealed record ApiEndpoints(Uri Server, Uri Public)
{
    public const string ServiceName = "api";
    public const string ServiceDiscoveryKey = "services:api:http:0";
    public const string PublicUrlKey = "NEXT_PUBLIC_API_URL";

    public static readonly Uri DiscoveryBaseAddress = new($"http://{ServiceName}");
    private static readonly Uri DefaultAddress = new("http://localhost:4000");

    /// <summary>
    /// Where a browser finds an address the api gave relative to itself (<c>/api/v1/files/…/download?…</c>): under
    /// <see cref="Public"/>, keeping any path a reverse proxy puts the api under.
    /// </summary>
    public Uri ForBrowser(string apiAddress)
    {
        if (Uri.TryCreate(apiAddress, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https")
        {
            return absolute;
        }

        return new Uri(Public.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/" + apiAddress.TrimStart('/'));
    }

    public static ApiEndpoints From(IConfiguration configuration)
    {
        var publicAddress = Parse(configuration, PublicUrlKey) ?? DefaultAddress;
        var serverAddress = Parse(configuration, ServiceDiscoveryKey) ?? publicAddress;
        return new ApiEndpoints(serverAddress, publicAddress);
    }

    private static Uri? Parse(IConfiguration configuration, string key)
    {
        var value = configuration[key];
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new InvalidOperationException($"{key} must be an absolute http(s) address, not '{value}'.");
        }

        return uri;
    }
}

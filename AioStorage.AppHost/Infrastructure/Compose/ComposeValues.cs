using System.Globalization;
using System.Text;

namespace AioStorage.AppHost.Infrastructure.Compose;

/// <summary>
/// Turns app-model values into text for the compose file, as seen from inside the compose network: an endpoint is
/// its service name and container port, a secret parameter a required variable from .env, a plain parameter its
/// published default. Anything else fails loudly, so a new kind of value cannot slip into the file as garbage.
/// </summary>
internal static class ComposeValues
{
    public static string Format(object? value) => value switch
    {
        null => "",
        string text => Escape(text),
        ParameterResource parameter => Parameter(parameter),
        ConnectionStringReference reference => Format(reference.Resource.ConnectionStringExpression),
        IResourceWithConnectionString server => Format(server.ConnectionStringExpression),
        EndpointReference endpoint => Endpoint(endpoint, EndpointProperty.Url),
        EndpointReferenceExpression expression => Endpoint(expression.Endpoint, expression.Property),
        ReferenceExpression expression => Expression(expression),
        _ => throw new NotSupportedException(
            $"The compose generator cannot express a {value.GetType().Name} ({(value as IManifestExpressionProvider)?.ValueExpression})."),
    };

    /// <summary>Compose interpolates <c>$</c> everywhere; literal text keeps it with <c>$$</c>.</summary>
    public static string Escape(string text) => text.Replace("$", "$$", StringComparison.Ordinal);

    public static string EnvironmentName(ParameterResource parameter)
        => parameter.Name.Replace('-', '_').ToUpperInvariant();

    public static IResourceWithConnectionString? ReferencedServer(object? value) => value switch
    {
        ConnectionStringReference reference => reference.Resource,
        IResourceWithConnectionString server => server,
        _ => null,
    };

    /// <summary>The server's address in URI form (the seed's variables are URLs), which for Redis differs from its
    /// StackExchange.Redis connection string.</summary>
    public static object Uri(IResourceWithConnectionString server)
        => server.GetConnectionProperties().FirstOrDefault(p => p.Key == "Uri").Value
           ?? (object)server.ConnectionStringExpression;

    public static int ContainerPort(EndpointAnnotation endpoint)
        => endpoint.TargetPort ?? endpoint.Port ?? ComposeFileGenerator.DefaultProjectContainerPort;

    private static string Parameter(ParameterResource parameter)
    {
        if (parameter.Secret)
        {
            var name = EnvironmentName(parameter);
            return $"${{{name}:?set it in .env (see .env.example)}}";
        }

        var value = parameter.Default?.GetDefaultValue()
            ?? throw new NotSupportedException($"Parameter {parameter.Name} needs a published default value or must be secret.");
        return Escape(value);
    }

    private static string Endpoint(EndpointReference endpoint, EndpointProperty property)
    {
        var host = endpoint.Resource.Name;
        var port = ContainerPort(endpoint.EndpointAnnotation).ToString(CultureInfo.InvariantCulture);
        return property switch
        {
            EndpointProperty.Url => $"{endpoint.EndpointAnnotation.UriScheme}://{host}:{port}",
            EndpointProperty.Host or EndpointProperty.IPV4Host => host,
            EndpointProperty.Port or EndpointProperty.TargetPort => port,
            EndpointProperty.HostAndPort => $"{host}:{port}",
            EndpointProperty.Scheme => endpoint.EndpointAnnotation.UriScheme,
            EndpointProperty.TlsEnabled => endpoint.EndpointAnnotation.TlsEnabled ? "true" : "false",
            _ => throw new NotSupportedException($"The compose generator cannot express endpoint property {property}."),
        };
    }

    private static string Expression(ReferenceExpression expression)
    {
        if (expression.IsConditional)
        {
            var condition = Format(expression.Condition);
            return Format(string.Equals(condition, expression.MatchValue, StringComparison.OrdinalIgnoreCase)
                ? expression.WhenTrue
                : expression.WhenFalse);
        }

        var values = expression.ValueProviders.Select(provider => (object?)Format(provider)).ToArray();
        // The values are already compose text; only the expression's literal parts still need their '$' escaped.
        var escapedFormat = Escape(expression.Format);
        return string.Format(CultureInfo.InvariantCulture, escapedFormat, values);
    }
}

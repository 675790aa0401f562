namespace AioStorage.AppHost.Infrastructure.Compose;

/// <summary>
/// What the docker-compose deployment needs to know about a resource beyond the app model: the command compose
/// runs to decide <c>service_healthy</c> (Aspire's own health checks run in the AppHost, not in a container), and
/// for a server, the seed's environment variable that carries its address to the services that reference it.
/// A note, if any, is written above the service for the operators who read the file.
/// </summary>
public sealed record ComposeServiceAnnotation(string? HealthCheckCommand, string? ConnectionVariable, string? Note) : IResourceAnnotation;

/// <summary>A named volume mounted into a project's container. Projects run as host processes under the AppHost,
/// so the app model cannot carry this as a container mount.</summary>
public sealed record ComposeVolumeAnnotation(string VolumeName, string ContainerPath) : IResourceAnnotation;

public static class ComposeResourceBuilderExtensions
{
    /// <param name="healthCheck">Shell command run inside the container; exit code 0 means healthy.</param>
    /// <param name="connectionVariable">Environment variable (the seed's name) that replaces
    /// <c>ConnectionStrings__{name}</c> in the services referencing this resource; its value is the resource's URI.</param>
    /// <param name="note">Comment lines written above the service.</param>
    public static IResourceBuilder<T> PublishAsComposeService<T>(
        this IResourceBuilder<T> builder, string? healthCheck = null, string? connectionVariable = null, string? note = null)
        where T : IResource
        => builder.WithAnnotation(new ComposeServiceAnnotation(healthCheck, connectionVariable, note), ResourceAnnotationMutationBehavior.Replace);
}

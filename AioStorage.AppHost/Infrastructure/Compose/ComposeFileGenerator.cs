using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AioStorage.AppHost.Infrastructure.Compose;

/// <summary>
/// Writes docker-compose.yml from the app model built for publishing, the same model aspire-manifest.json comes
/// from: one service per container and project resource, with their images, ports, volumes, environment, health
/// checks and WaitFor dependencies. The output depends on the model only (no machine paths, no secret values), so
/// regenerating it on any machine gives the same bytes.
/// </summary>
public static class ComposeFileGenerator
{
    public const string PublisherName = "compose";
    public const string DefaultFileName = "docker-compose.yml";
    public const string NetworkName = "aio-network";
    public const string ContainerNamePrefix = "aio-storage-";

    /// <summary>Where a project's container listens when the model gives its endpoint no port (ASP.NET's default).</summary>
    public const int DefaultProjectContainerPort = 8080;

    public static bool IsRequested(DistributedApplicationExecutionContext executionContext)
        => executionContext.IsPublishMode
           && string.Equals(executionContext.PublisherName, PublisherName, StringComparison.OrdinalIgnoreCase);

    /// <summary>Writes the file to <c>--output-path</c> (a .yml file, or a folder for docker-compose.yml).</summary>
    public static async Task WriteAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        var outputPath = services.GetRequiredService<IConfiguration>()["Pipeline:OutputPath"];
        if (string.IsNullOrWhiteSpace(outputPath))
        {
            throw new DistributedApplicationException("--publisher compose needs --output-path (a .yml file or a folder).");
        }

        var path = Path.GetFullPath(outputPath.EndsWith(".yml", StringComparison.OrdinalIgnoreCase)
                                    || outputPath.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase)
            ? outputPath
            : Path.Combine(outputPath, DefaultFileName));
        var directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);

        var yaml = await GenerateAsync(
            services.GetRequiredService<DistributedApplicationModel>().Resources,
            services.GetRequiredService<DistributedApplicationExecutionContext>(),
            directory, cancellationToken);
        await File.WriteAllTextAsync(path, yaml, cancellationToken);

        services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ComposeFileGenerator).FullName!)
            .LogInformation("Published docker compose file to: {ComposePath}", path);
    }

    /// <param name="resources">The app model's resources, in declaration order.</param>
    /// <param name="executionContext">A publish-mode context: the environment callbacks are evaluated in it.</param>
    /// <param name="outputDirectory">Folder the file will live in: build contexts are written relative to it.</param>
    public static async Task<string> GenerateAsync(
        IEnumerable<IResource> resources, DistributedApplicationExecutionContext executionContext, string outputDirectory,
        CancellationToken cancellationToken = default)
    {
        if (!executionContext.IsPublishMode)
        {
            throw new InvalidOperationException("The compose file describes a deployment: build the app model in publish mode (--publisher compose).");
        }

        var composeServices = new YamlMap();
        var volumes = new List<string>();
        foreach (var resource in resources.Where(IsService))
        {
            var service = await DescribeServiceAsync(resource, executionContext, outputDirectory, volumes, cancellationToken);
            composeServices.Add(resource.Name, service.Definition, service.Comments);
        }

        var volumeDefinitions = new YamlMap();
        foreach (var volume in volumes)
        {
            volumeDefinitions.Add(volume, new YamlMap().Add("driver", "local"));
        }

        var document = new YamlMap()
            // docker-compose 1.29 (Debian's) needs a version and rejects a top-level name (COMPOSE_PROJECT_NAME is in .env).
            .Add("version", new YamlText("3.8", ForceQuotes: true))
            .Add("services", composeServices)
            .Add("networks", new YamlMap().Add(NetworkName, new YamlMap().Add("driver", "bridge")))
            .Add("volumes", volumeDefinitions);

        return YamlWriter.Write(document,
        [
            "AIO Storage: the deployment described in the seed's infrastructure document, generated from the",
            "Aspire app model (AioStorage.AppHost) by scripts/generate-deployment.sh. Do not edit: change the",
            "AppHost and regenerate. Secrets come from .env (copy .env.example). Production:",
            "  docker-compose -f docker-compose.yml -f docker-compose.prod.yml up -d",
        ]);
    }

    private static bool IsService(IResource resource)
        => resource is ContainerResource or ProjectResource
           && !(resource.TryGetLastAnnotation<ManifestPublishingCallbackAnnotation>(out var manifest) && manifest.Callback is null);

    private sealed record ServiceDescription(YamlMap Definition, IReadOnlyList<string> Comments);

    private static async Task<ServiceDescription> DescribeServiceAsync(
        IResource resource, DistributedApplicationExecutionContext executionContext, string outputDirectory,
        List<string> volumes, CancellationToken cancellationToken)
    {
        var service = new YamlMap();
        var comments = new List<string>();
        var compose = resource.Annotations.OfType<ComposeServiceAnnotation>().LastOrDefault();
        var replicas = resource.Annotations.OfType<ReplicaAnnotation>().LastOrDefault();
        if (compose?.Note is { } note)
        {
            comments.AddRange(note.Split('\n'));
        }

        if (replicas is null)
        {
            service.Add("container_name", ContainerNamePrefix + resource.Name);
            // The container's own name: RabbitMQ keeps its data under rabbit@<hostname>, so it must not change.
            service.Add("hostname", resource.Name);
        }
        else
        {
            comments.Add("No container_name: a fixed name allows one container only, and this service scales out");
            comments.Add($"(docker-compose up -d --scale {resource.Name}=3); its containers are competing consumers.");
        }

        if (resource is ContainerResource container)
        {
            service.Add("image", ImageName(container));
        }
        else if (resource is ProjectResource project)
        {
            // The build context is the folder holding all projects: each Dockerfile copies the projects it references.
            var projectDirectory = Path.GetDirectoryName(project.GetProjectMetadata().ProjectPath)!;
            var context = Path.GetDirectoryName(projectDirectory)!;
            service.Add("build", new YamlMap()
                .Add("context", ToComposePath(Path.GetRelativePath(outputDirectory, context)))
                .Add("dockerfile", ToComposePath(Path.GetRelativePath(context, Path.Combine(projectDirectory, "Dockerfile")))));
        }

        if (resource is ContainerResource { Entrypoint: { } entrypoint })
        {
            service.Add("entrypoint", new YamlList([new YamlText(entrypoint)], Flow: true));
        }

        var args = await EvaluateArgsAsync(resource, executionContext, cancellationToken);
        if (args.Count > 0)
        {
            service.Add("command", new YamlList(args.Select(a => (YamlNode)new YamlText(ComposeValues.Format(a))).ToList(), Flow: true));
        }

        var environment = await EnvironmentAsync(resource, executionContext, cancellationToken);
        if (environment.Count > 0)
        {
            service.Add("environment", environment);
        }

        var ports = PublishedPorts(resource);
        if (ports.Count > 0)
        {
            service.Add("ports", new YamlList(ports));
        }

        var mounts = Mounts(resource);
        if (mounts.Count > 0)
        {
            foreach (var (volume, _) in mounts.Where(m => !volumes.Contains(m.Volume)))
            {
                volumes.Add(volume);
            }

            service.Add("volumes", new YamlList(mounts.Select(m => (YamlNode)new YamlText(m.Mount)).ToList()));
        }

        var dependencies = Dependencies(resource);
        if (dependencies.Count > 0)
        {
            service.Add("depends_on", dependencies);
        }

        if (compose?.HealthCheckCommand is { } healthCheck)
        {
            service.Add("healthcheck", new YamlMap()
                .Add("test", new YamlList([new YamlText("CMD-SHELL"), new YamlText(ComposeValues.Escape(healthCheck))], Flow: true))
                .Add("interval", "10s")
                .Add("timeout", "5s")
                .Add("retries", YamlText.Number(5))
                .Add("start_period", "30s"));
        }

        if (replicas is { Replicas: > 1 })
        {
            service.Add("deploy", new YamlMap().Add("replicas", YamlText.Number(replicas.Replicas)));
        }

        service.Add("networks", new YamlList([new YamlText(NetworkName)]));
        return new ServiceDescription(service, comments);
    }

    private static string ImageName(ContainerResource container)
    {
        var image = container.Annotations.OfType<ContainerImageAnnotation>().Last();
        var tag = string.IsNullOrEmpty(image.Tag) ? "" : $":{image.Tag}";
        if (image.Registry is null or "docker.io")
        {
            // Docker Hub's official images, written the way the seed and everyone else writes them.
            var name = image.Image.StartsWith("library/", StringComparison.Ordinal) ? image.Image["library/".Length..] : image.Image;
            return $"{name}{tag}";
        }

        return $"{image.Registry}/{image.Image}{tag}";
    }

    private static string ToComposePath(string relativePath)
        => relativePath.Replace(Path.DirectorySeparatorChar, '/');

    private static async Task<List<object>> EvaluateArgsAsync(
        IResource resource, DistributedApplicationExecutionContext executionContext, CancellationToken cancellationToken)
    {
        var args = new List<object>();
        if (resource is ProjectResource)
        {
            return args;
        }

        var context = new CommandLineArgsCallbackContext(args, resource, cancellationToken) { ExecutionContext = executionContext };
        foreach (var annotation in resource.Annotations.OfType<CommandLineArgsCallbackAnnotation>())
        {
            await annotation.Callback(context);
        }

        return args;
    }

    private static async Task<YamlMap> EnvironmentAsync(
        IResource resource, DistributedApplicationExecutionContext executionContext, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, object>();
        var context = new EnvironmentCallbackContext(executionContext, resource, values, cancellationToken);
        foreach (var annotation in resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await annotation.Callback(context);
        }

        var environment = new YamlMap();
        foreach (var (name, value) in values)
        {
            // A reference to a server becomes the seed's variable (MONGODB_URI, REDIS_URL, RABBITMQ_URL) with its URI.
            if (name.StartsWith("ConnectionStrings__", StringComparison.Ordinal)
                && ComposeValues.ReferencedServer(value) is { } server
                && server.Annotations.OfType<ComposeServiceAnnotation>().LastOrDefault()?.ConnectionVariable is { } variable)
            {
                environment.Add(variable, new YamlText(ComposeValues.Format(ComposeValues.Uri(server))));
                continue;
            }

            environment.Add(name, new YamlText(ComposeValues.Format(value)));
        }

        if (resource is ProjectResource)
        {
            environment.Add("ASPNETCORE_ENVIRONMENT", "${ASPNETCORE_ENVIRONMENT:-Production}");
        }

        return environment;
    }

    private static List<YamlNode> PublishedPorts(IResource resource)
    {
        var ports = new List<YamlNode>();
        foreach (var endpoint in resource.Annotations.OfType<EndpointAnnotation>())
        {
            // Servers publish every port (the seed's table); services only what the model marks external.
            if (endpoint.Port is { } hostPort && (resource is ContainerResource || endpoint.IsExternal))
            {
                ports.Add(new YamlText($"{hostPort}:{ComposeValues.ContainerPort(endpoint)}", ForceQuotes: true));
            }
        }

        return ports;
    }

    private static List<(string Volume, string Mount)> Mounts(IResource resource)
    {
        var mounts = new List<(string, string)>();
        foreach (var mount in resource.Annotations.OfType<ContainerMountAnnotation>())
        {
            if (mount.Type != ContainerMountType.Volume || string.IsNullOrEmpty(mount.Source))
            {
                throw new NotSupportedException(
                    $"{resource.Name}: only named volumes can be deployed with compose, not {mount.Type} {mount.Source} -> {mount.Target}.");
            }

            mounts.Add((mount.Source, $"{mount.Source}:{mount.Target}{(mount.IsReadOnly ? ":ro" : "")}"));
        }

        foreach (var volume in resource.Annotations.OfType<ComposeVolumeAnnotation>())
        {
            mounts.Add((volume.VolumeName, $"{volume.VolumeName}:{volume.ContainerPath}"));
        }

        return mounts;
    }

    private static YamlMap Dependencies(IResource resource)
    {
        var dependencies = new YamlMap();
        foreach (var wait in resource.Annotations.OfType<WaitAnnotation>())
        {
            var condition = wait.WaitType switch
            {
                WaitType.WaitUntilHealthy => "service_healthy",
                WaitType.WaitForCompletion => "service_completed_successfully",
                _ => "service_started",
            };
            dependencies.Add(wait.Resource.Name, new YamlMap().Add("condition", condition));
        }

        return dependencies;
    }
}

using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AioStorage.AppHost.Infrastructure;

/// <summary>Debian's <c>redis-server</c> run by DCP, with the same connection string shape as Aspire's
/// RedisResource (<c>host:port</c>, StackExchange.Redis syntax).</summary>
public sealed class LocalRedisResource(string name, string dataDirectory)
    : ExecutableResource(name, "redis-server", dataDirectory), IResourceWithConnectionString
{
    public const string PrimaryEndpointName = "tcp";

    public EndpointReference PrimaryEndpoint => new(this, PrimaryEndpointName);

    public string DataDirectory { get; } = dataDirectory;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"{PrimaryEndpoint.Property(EndpointProperty.IPV4Host)}:{PrimaryEndpoint.Property(EndpointProperty.Port)}");
}

/// <summary>Debian's RabbitMQ run by DCP, with the same connection string shape as Aspire's RabbitMQServerResource
/// (<c>amqp://user:password@host:port</c>).</summary>
public sealed class LocalRabbitMqResource(
    string name, string dataDirectory, ParameterResource userName, ParameterResource password)
    // /usr/sbin/rabbitmq-server switches to the rabbitmq user and drops our environment; this script does not.
    : ExecutableResource(name, "/usr/lib/rabbitmq/bin/rabbitmq-server", dataDirectory), IResourceWithConnectionString
{
    public const string PrimaryEndpointName = "tcp";
    public const string ManagementEndpointName = "management";
    public const string DistributionEndpointName = "dist";

    public EndpointReference PrimaryEndpoint => new(this, PrimaryEndpointName);

    public EndpointReference ManagementEndpoint => new(this, ManagementEndpointName);

    public EndpointReference DistributionEndpoint => new(this, DistributionEndpointName);

    public string DataDirectory { get; } = dataDirectory;

    public string ConfigFile => Path.Combine(DataDirectory, "rabbitmq.conf");

    public ParameterResource UserNameParameter { get; } = userName;

    public ParameterResource PasswordParameter { get; } = password;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"amqp://{UserNameParameter}:{PasswordParameter}@{PrimaryEndpoint.Property(EndpointProperty.IPV4Host)}:{PrimaryEndpoint.Property(EndpointProperty.Port)}");
}

public static class LocalServerBuilderExtensions
{
    /// <summary>Redis with RDB snapshots and an append-only file under <paramref name="dataDirectory"/>, like the
    /// redis_data volume of the container deployment.</summary>
    public static IResourceBuilder<LocalRedisResource> AddLocalRedis(
        this IDistributedApplicationBuilder builder, string name, string dataDirectory, int port)
    {
        var resource = new LocalRedisResource(name, dataDirectory);
        var healthCheckKey = $"{name}_ping";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(healthCheckKey,
            new RedisPingHealthCheck(() => ("127.0.0.1", resource.PrimaryEndpoint.TargetPort!.Value)),
            failureStatus: null, tags: null));

        return builder.AddResource(resource)
            .WithFolderCreatedBeforeStart(dataDirectory)
            // Not proxied: the server owns its port, so clients, the health check and a developer's redis-cli
            // all reach the same process.
            .WithEndpoint(port: port, targetPort: port, name: LocalRedisResource.PrimaryEndpointName, scheme: "tcp",
                isProxied: false)
            .WithArgs(context =>
            {
                context.Args.Add("--port");
                context.Args.Add(resource.PrimaryEndpoint.Property(EndpointProperty.TargetPort));
                context.Args.Add("--bind");
                context.Args.Add("127.0.0.1");
                context.Args.Add("--protected-mode");
                context.Args.Add("yes");
                context.Args.Add("--dir");
                context.Args.Add(dataDirectory);
                // The container's persistence: an RDB snapshot every 60 s when a key changed, plus the AOF.
                context.Args.Add("--save");
                context.Args.Add("60 1");
                context.Args.Add("--appendonly");
                context.Args.Add("yes");
            })
            .WithHealthCheck(healthCheckKey);
    }

    /// <summary>
    /// RabbitMQ with the management plugin, its own epmd, and all of its state (mnesia, logs, cookie, plugins)
    /// under <paramref name="dataDirectory"/>, so queues and users survive restarts and nothing is left behind.
    /// </summary>
    public static IResourceBuilder<LocalRabbitMqResource> AddLocalRabbitMq(
        this IDistributedApplicationBuilder builder,
        string name,
        string dataDirectory,
        IResourceBuilder<ParameterResource> userName,
        IResourceBuilder<ParameterResource> password,
        LocalRabbitMqPorts ports)
    {
        var epmdHealthCheckKey = $"{name}-epmd_names";
        var epmd = builder.AddExecutable($"{name}-epmd", "epmd", dataDirectory,
                "-port", ports.Epmd.ToString(CultureInfo.InvariantCulture), "-address", "127.0.0.1")
            .WithEndpoint(port: ports.Epmd, targetPort: ports.Epmd, name: "tcp", scheme: "tcp", isProxied: false)
            .WithFolderCreatedBeforeStart(dataDirectory)
            .WithHealthCheck(epmdHealthCheckKey);
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(epmdHealthCheckKey,
            new EpmdHealthCheck(() => ("127.0.0.1", epmd.GetEndpoint("tcp").TargetPort!.Value)),
            failureStatus: null, tags: null));

        var resource = new LocalRabbitMqResource(name, dataDirectory, userName.Resource, password.Resource);
        var healthCheckKey = $"{name}_amqp";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(healthCheckKey,
            new AmqpHealthCheck(async ct => new Uri(await ConnectionUriAsync(resource, ct))),
            failureStatus: null, tags: null));

        var rabbitmq = builder.AddResource(resource)
            .OnBeforeResourceStarted((server, _, ct) => LocalRabbitMqFiles.WriteAsync(server, ct))
            .WithEndpoint(port: ports.Amqp, targetPort: ports.Amqp, name: LocalRabbitMqResource.PrimaryEndpointName,
                scheme: "tcp", isProxied: false)
            .WithHttpEndpoint(port: ports.Management, targetPort: ports.Management,
                name: LocalRabbitMqResource.ManagementEndpointName, isProxied: false)
            .WithEndpoint(port: ports.Distribution, targetPort: ports.Distribution,
                name: LocalRabbitMqResource.DistributionEndpointName, scheme: "tcp", isProxied: false)
            .WithEnvironment(context =>
            {
                var env = context.EnvironmentVariables;
                env["HOME"] = dataDirectory;
                env["RABBITMQ_NODENAME"] = $"{name}@localhost";
                env["RABBITMQ_USE_LONGNAME"] = "false";
                env["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1";
                env["RABBITMQ_NODE_PORT"] = resource.PrimaryEndpoint.Property(EndpointProperty.TargetPort);
                env["RABBITMQ_DIST_PORT"] = resource.DistributionEndpoint.Property(EndpointProperty.TargetPort);
                env["RABBITMQ_CONFIG_FILE"] = resource.ConfigFile;
                // An empty env file, so /etc/rabbitmq/rabbitmq-env.conf cannot override any of this.
                env["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(dataDirectory, "rabbitmq-env.conf");
                env["RABBITMQ_ADVANCED_CONFIG_FILE"] = Path.Combine(dataDirectory, "advanced.config");
                env["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(dataDirectory, "enabled_plugins");
                env["RABBITMQ_PLUGINS_EXPAND_DIR"] = Path.Combine(dataDirectory, "plugins-expand");
                env["RABBITMQ_MNESIA_BASE"] = Path.Combine(dataDirectory, "mnesia");
                env["RABBITMQ_LOG_BASE"] = Path.Combine(dataDirectory, "log");
                env["RABBITMQ_PID_FILE"] = Path.Combine(dataDirectory, "rabbitmq.pid");
                env["RABBITMQ_LOGS"] = "-";
                env["ERL_EPMD_PORT"] = epmd.GetEndpoint("tcp").Property(EndpointProperty.TargetPort);
                env["ERL_EPMD_ADDRESS"] = "127.0.0.1";
                env["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1}";
            })
            .WithHealthCheck(healthCheckKey)
            // Started before the broker: otherwise erl launches a detached epmd of its own that outlives the AppHost.
            .WaitFor(epmd);

        epmd.WithParentRelationship(rabbitmq);
        return rabbitmq;
    }

    private static async Task<string> ConnectionUriAsync(LocalRabbitMqResource resource, CancellationToken cancellationToken)
    {
        var user = await resource.UserNameParameter.GetValueAsync(cancellationToken);
        var password = await resource.PasswordParameter.GetValueAsync(cancellationToken);
        var port = resource.PrimaryEndpoint.TargetPort!.Value;
        return $"amqp://{Uri.EscapeDataString(user ?? "")}:{Uri.EscapeDataString(password ?? "")}@127.0.0.1:{port}/";
    }
}

public sealed record LocalRabbitMqPorts(int Amqp, int Management, int Distribution, int Epmd);

/// <summary>The files the broker reads at boot. The config holds the admin password, so it is written just before
/// the start (never into arguments or the environment, which the dashboard shows) and readable by us only.</summary>
internal static class LocalRabbitMqFiles
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static async Task WriteAsync(LocalRabbitMqResource resource, CancellationToken cancellationToken)
    {
        var dataDirectory = resource.DataDirectory;
        foreach (var folder in new[] { "mnesia", "log", "plugins-expand" })
        {
            Directory.CreateDirectory(Path.Combine(dataDirectory, folder));
        }

        var user = await resource.UserNameParameter.GetValueAsync(cancellationToken)
            ?? throw new InvalidOperationException("The RabbitMQ user name parameter has no value.");
        var password = await resource.PasswordParameter.GetValueAsync(cancellationToken)
            ?? throw new InvalidOperationException("The RabbitMQ password parameter has no value.");
        if (user.AsSpan().ContainsAny('\r', '\n') || password.AsSpan().ContainsAny('\r', '\n'))
        {
            throw new InvalidOperationException("RabbitMQ credentials cannot contain line breaks.");
        }

        var config = new StringBuilder()
            .AppendLine("management.tcp.ip = 127.0.0.1")
            .AppendLine($"management.tcp.port = {resource.ManagementEndpoint.TargetPort}")
            // Applied when the node initialises an empty database only; later boots keep the stored users.
            .AppendLine($"default_user = {user}")
            .AppendLine($"default_pass = {password}")
            .AppendLine("default_user_tags.administrator = true")
            .AppendLine("default_permissions.configure = .*")
            .AppendLine("default_permissions.read = .*")
            .AppendLine("default_permissions.write = .*")
            .ToString();

        await WriteOwnerOnlyAsync(resource.ConfigFile, config, cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(dataDirectory, "rabbitmq-env.conf"), "", cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(dataDirectory, "enabled_plugins"), "[rabbitmq_management].\n", cancellationToken);
    }

    private static async Task WriteOwnerOnlyAsync(string path, string content, CancellationToken cancellationToken)
    {
        // Written beside the target and renamed over it, so the secret is never readable by others, not even
        // for a moment, and an existing file with looser permissions is replaced rather than reused.
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("Local mode runs Debian's RabbitMQ and needs Unix file permissions.");
        }

        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = OwnerOnly };
        await using (var stream = new FileStream(temporary, options))
        await using (var writer = new StreamWriter(stream))
        {
            await writer.WriteAsync(content.AsMemory(), cancellationToken);
        }

        File.Move(temporary, path, overwrite: true);
    }
}

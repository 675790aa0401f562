using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace AioStorage.AppHost.Infrastructure;

/// <summary>Which kind of infrastructure the AppHost runs: containers, host executables, or whichever answers.</summary>
public enum InfrastructureMode
{
    Auto,
    Containers,
    Local,
}

/// <summary>Host ports of every resource. The defaults are the seed's, so a developer's machine looks like the
/// documented deployment; tests override them with free ports.</summary>
public sealed record ResourcePorts(
    int MongoDb,
    int Redis,
    int RabbitMq,
    int RabbitMqManagement,
    int RabbitMqDistribution,
    int Epmd,
    int Api,
    int Web,
    int? Worker)
{
    public static ResourcePorts FromConfiguration(IConfiguration section) => new(
        MongoDb: Read(section, "MongoDb") ?? 27017,
        Redis: Read(section, "Redis") ?? 6379,
        RabbitMq: Read(section, "RabbitMq") ?? 5672,
        RabbitMqManagement: Read(section, "RabbitMqManagement") ?? 15672,
        // RabbitMQ's own default (AMQP port + 20000) passes 65535 for high test ports, so it is explicit.
        RabbitMqDistribution: Read(section, "RabbitMqDistribution") ?? 25672,
        // Not 4369: a private epmd must never collide with (or be mistaken for) a system-wide one.
        Epmd: Read(section, "Epmd") ?? 14369,
        Api: Read(section, "Api") ?? 4000,
        Web: Read(section, "Web") ?? 3000,
        // The worker's endpoint only serves /health, so any free port will do unless one is asked for.
        Worker: Read(section, "Worker"));

    private static int? Read(IConfiguration section, string key)
    {
        var text = section[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw new InvalidOperationException($"Ports:{key} must be a TCP port number (1-65535), not '{text}'.");
        }

        return port;
    }
}

/// <summary>The AppHost's own configuration: <c>Infrastructure:Mode</c>, <c>Infrastructure:DataPath</c>,
/// <c>Ports:*</c> and <c>Worker:Replicas</c>.</summary>
public sealed record AppHostSettings(InfrastructureMode RequestedMode, string DataPath, ResourcePorts Ports, int WorkerReplicas)
{
    public static AppHostSettings FromConfiguration(IConfiguration configuration, string appHostDirectory)
    {
        var modeText = configuration["Infrastructure:Mode"];
        var mode = InfrastructureMode.Auto;
        if (!string.IsNullOrWhiteSpace(modeText) && !Enum.TryParse(modeText, ignoreCase: true, out mode))
        {
            throw new InvalidOperationException(
                $"Infrastructure:Mode must be auto, containers or local, not '{modeText}'.");
        }

        var dataPath = configuration["Infrastructure:DataPath"];
        var repositoryRoot = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(appHostDirectory))
            ?? appHostDirectory;
        dataPath = Path.GetFullPath(string.IsNullOrWhiteSpace(dataPath)
            ? Path.Combine(repositoryRoot, ".data")
            : Path.Combine(repositoryRoot, dataPath));

        var replicasText = configuration["Worker:Replicas"];
        var replicas = 1;
        if (!string.IsNullOrWhiteSpace(replicasText)
            && (!int.TryParse(replicasText, NumberStyles.None, CultureInfo.InvariantCulture, out replicas) || replicas < 1))
        {
            throw new InvalidOperationException($"Worker:Replicas must be a positive whole number, not '{replicasText}'.");
        }

        return new AppHostSettings(mode, dataPath, ResourcePorts.FromConfiguration(configuration.GetSection("Ports")), replicas);
    }
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AioStorage.AppHost.Infrastructure;

/// <summary>The mode the AppHost runs in and why, so the choice is never a mystery in the console.</summary>
public sealed record InfrastructureDecision(InfrastructureMode Mode, string Reason)
{
    public bool UsesContainers => Mode == InfrastructureMode.Containers;
}

public static class InfrastructureModeSelector
{
    public static async Task<InfrastructureDecision> DecideAsync(
        IDistributedApplicationBuilder builder, InfrastructureMode requested, ContainerRuntimeProbe probe)
    {
        var decision = await DecideCoreAsync(builder.ExecutionContext, requested, probe);

        builder.Eventing.Subscribe<BeforeStartEvent>((@event, _) =>
        {
            var logger = @event.Services.GetRequiredService<ILoggerFactory>().CreateLogger("AioStorage.AppHost");
            logger.LogInformation("Infrastructure mode: {Mode} ({Reason})",
                decision.Mode.ToString().ToLowerInvariant(), decision.Reason);
            return Task.CompletedTask;
        });

        return decision;
    }

    private static async Task<InfrastructureDecision> DecideCoreAsync(
        DistributedApplicationExecutionContext executionContext, InfrastructureMode requested, ContainerRuntimeProbe probe)
    {
        if (executionContext.IsPublishMode)
        {
            // Deployment files describe the container deployment, whatever this machine can run.
            return new(InfrastructureMode.Containers, requested == InfrastructureMode.Local
                ? "publishing always describes the container deployment; Infrastructure:Mode=local applies to runs only"
                : "publishing describes the container deployment");
        }

        if (requested != InfrastructureMode.Auto)
        {
            return new(requested, $"Infrastructure:Mode is {requested.ToString().ToLowerInvariant()}");
        }

        var result = await probe.ProbeAsync();
        return result.Available
            ? new(InfrastructureMode.Containers, $"auto: {result.Detail}")
            : new(InfrastructureMode.Local, $"auto: no container runtime answered ({result.Detail}); running Redis and RabbitMQ as host executables and metadata in SQLite");
    }
}

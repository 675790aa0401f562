using System.ComponentModel;
using System.Diagnostics;
using Microsoft.Extensions.Configuration;

namespace AioStorage.AppHost.Infrastructure;

public sealed record ContainerRuntimeProbeResult(bool Available, string Detail);

/// <summary>
/// Asks each container runtime CLI for <c>info</c>: it exits 0 only when the engine behind it answers, which is
/// what Aspire's container resources need (a docker client without a daemon is common and useless here).
/// </summary>
public sealed class ContainerRuntimeProbe(IReadOnlyList<string> runtimes, TimeSpan timeout, TimeProvider timeProvider)
{
    /// <summary>The runtime Aspire itself would use when one is configured, otherwise docker then podman.</summary>
    public static ContainerRuntimeProbe ForConfiguration(IConfiguration configuration)
    {
        var configured = configuration["ASPIRE_CONTAINER_RUNTIME"] ?? configuration["DOTNET_ASPIRE_CONTAINER_RUNTIME"];
        IReadOnlyList<string> runtimes = string.IsNullOrWhiteSpace(configured) ? ["docker", "podman"] : [configured];
        return new ContainerRuntimeProbe(runtimes, TimeSpan.FromSeconds(5), TimeProvider.System);
    }

    public async Task<ContainerRuntimeProbeResult> ProbeAsync()
    {
        var failures = new List<string>();
        foreach (var runtime in runtimes)
        {
            var (answered, detail) = await AskAsync(runtime);
            if (answered)
            {
                return new ContainerRuntimeProbeResult(true, detail);
            }

            failures.Add(detail);
        }

        return new ContainerRuntimeProbeResult(false, string.Join("; ", failures));
    }

    private async Task<(bool Answered, string Detail)> AskAsync(string runtime)
    {
        var startInfo = new ProcessStartInfo(runtime, "info")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };

        Process process;
        try
        {
            process = Process.Start(startInfo) ?? throw new Win32Exception($"{runtime} did not start");
        }
        catch (Win32Exception)
        {
            return (false, $"{runtime}: not installed");
        }

        using (process)
        {
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            var started = timeProvider.GetTimestamp();
            using var deadline = new CancellationTokenSource(timeout, timeProvider);
            try
            {
                await process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                return (false, $"{runtime} info: no answer within {timeout.TotalSeconds:0.#} s");
            }

            await Task.WhenAll(stdout, stderr);
            var elapsed = timeProvider.GetElapsedTime(started);
            if (process.ExitCode == 0)
            {
                return (true, $"{runtime} info answered in {elapsed.TotalMilliseconds:0} ms");
            }

            var reason = FirstMeaningfulLine(stderr.Result) ?? $"exit code {process.ExitCode}";
            return (false, $"{runtime} info: {reason}");
        }
    }

    private static string? FirstMeaningfulLine(string text) => text
        .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .FirstOrDefault(line => line.Contains("error", StringComparison.OrdinalIgnoreCase)
                                || line.Contains("cannot", StringComparison.OrdinalIgnoreCase))
        ?? text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
}

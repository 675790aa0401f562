using System.Diagnostics;
using System.Runtime.Versioning;
using AioStorage.AppHost.Infrastructure;
using Aspire.Hosting;
using Microsoft.Extensions.Configuration;

namespace AioStorage.Tests.AppHost;

/// <summary>How the AppHost picks containers or local executables, and how it reads its own settings.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class InfrastructureModeTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("aio-runtime-probe-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task A_runtime_whose_info_succeeds_is_available()
    {
        var runtime = FakeRuntime("answering", "echo 'Server Version: 27.0'; exit 0");

        var result = await Probe(TimeSpan.FromSeconds(5), runtime).ProbeAsync();

        Assert.True(result.Available);
        Assert.StartsWith($"{runtime} info answered in ", result.Detail);
    }

    [Fact]
    public async Task A_client_without_an_engine_is_not_available_and_says_why()
    {
        var runtime = FakeRuntime("no-daemon",
            "echo 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock.' >&2; exit 1");

        var result = await Probe(TimeSpan.FromSeconds(5), runtime).ProbeAsync();

        Assert.False(result.Available);
        Assert.Equal($"{runtime} info: Cannot connect to the Docker daemon at unix:///var/run/docker.sock.", result.Detail);
    }

    [Fact]
    public async Task A_missing_runtime_is_reported_as_not_installed_and_the_next_one_is_asked()
    {
        var missing = Path.Combine(_folder, "no-such-runtime");
        var answering = FakeRuntime("answering", "exit 0");

        var result = await Probe(TimeSpan.FromSeconds(5), missing, answering).ProbeAsync();

        Assert.True(result.Available);
        var unavailable = await Probe(TimeSpan.FromSeconds(5), missing).ProbeAsync();
        Assert.Equal($"{missing}: not installed", unavailable.Detail);
    }

    [Fact]
    public async Task A_runtime_that_hangs_is_given_up_on_and_killed()
    {
        var pidFile = Path.Combine(_folder, "hung.pid");
        var runtime = FakeRuntime("hung", $"echo $$ > {pidFile}; exec sleep 30");
        var stopwatch = Stopwatch.StartNew();

        var result = await Probe(TimeSpan.FromMilliseconds(500), runtime).ProbeAsync();

        Assert.False(result.Available);
        Assert.Equal($"{runtime} info: no answer within 0.5 s", result.Detail);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"took {stopwatch.Elapsed}");
        var pid = int.Parse(File.ReadAllText(pidFile).Trim());
        var deadline = Stopwatch.StartNew();
        while (IsRunning(pid) && deadline.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(50);
        }

        Assert.False(IsRunning(pid), $"the hung runtime (pid {pid}) is still running");
    }

    [Theory]
    [InlineData("exit 0", "mongodb")]
    [InlineData("exit 1", null)]
    public async Task Auto_mode_uses_containers_only_when_the_runtime_answers(string runtimeScript, string? expectedMongoDb)
    {
        var runtime = FakeRuntime("runtime", runtimeScript);

        await using var model = await AppHostModel.BuildAsync("auto", _folder, $"ASPIRE_CONTAINER_RUNTIME={runtime}");

        Assert.Equal(expectedMongoDb, model.Resources.SingleOrDefault(r => r.Name == "mongodb")?.Name);
        Assert.Equal(expectedMongoDb is null ? "redis-server" : null,
            (model.Resources.Single(r => r.Name == "redis") as Aspire.Hosting.ApplicationModel.ExecutableResource)?.Command);
    }

    [Fact]
    public void Settings_default_to_auto_mode_the_seed_ports_one_worker_and_a_data_folder_in_the_repository()
    {
        var appHostDirectory = Path.Combine(_folder, "repo", "AioStorage.AppHost");

        var settings = AppHostSettings.FromConfiguration(Configuration(), appHostDirectory);

        Assert.Equal(InfrastructureMode.Auto, settings.RequestedMode);
        Assert.Equal(Path.Combine(_folder, "repo", ".data"), settings.DataPath);
        Assert.Equal(1, settings.WorkerReplicas);
        Assert.Equal(new ResourcePorts(27017, 6379, 5672, 15672, 25672, 14369, 4000, 3000, null), settings.Ports);
    }

    [Fact]
    public void Settings_read_mode_data_path_ports_and_replicas()
    {
        var appHostDirectory = Path.Combine(_folder, "repo", "AioStorage.AppHost");

        var settings = AppHostSettings.FromConfiguration(Configuration(
            ("Infrastructure:Mode", "LOCAL"), ("Infrastructure:DataPath", "state/dev"), ("Ports:Api", "14000"),
            ("Ports:Worker", "14100"), ("Worker:Replicas", "3")), appHostDirectory);

        Assert.Equal(InfrastructureMode.Local, settings.RequestedMode);
        Assert.Equal(Path.Combine(_folder, "repo", "state", "dev"), settings.DataPath);
        Assert.Equal((14000, 14100), (settings.Ports.Api, settings.Ports.Worker));
        Assert.Equal(3, settings.WorkerReplicas);
    }

    [Theory]
    [InlineData("Infrastructure:Mode", "kubernetes", "Infrastructure:Mode must be auto, containers or local")]
    [InlineData("Ports:Redis", "70000", "Ports:Redis must be a TCP port number")]
    [InlineData("Ports:Api", "four thousand", "Ports:Api must be a TCP port number")]
    [InlineData("Worker:Replicas", "0", "Worker:Replicas must be a positive whole number")]
    public void Settings_reject_values_that_cannot_work(string key, string value, string message)
    {
        var error = Assert.Throws<InvalidOperationException>(
            () => AppHostSettings.FromConfiguration(Configuration((key, value)), _folder));

        Assert.StartsWith(message, error.Message);
    }

    private ContainerRuntimeProbe Probe(TimeSpan timeout, params string[] runtimes)
        => new(runtimes, timeout, TimeProvider.System);

    private string FakeRuntime(string name, string script)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, $"#!/bin/sh\n[ \"$1\" = info ] || exit 64\n{script}\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] values)
        => new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build();

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}

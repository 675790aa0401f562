using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace AioStorage.Tests.AppHost;

/// <summary>
/// The AppHost's app model as Program.cs declares it, inspected on the testing builder: the entry point runs up to
/// Build() and waits there, so nothing starts (~40 ms, no container engine, no Redis or RabbitMQ). Building the
/// application instead would let Program.cs go on to RunAsync in the background and start every resource.
/// </summary>
internal sealed class AppHostModel : IAsyncDisposable
{
    private readonly IDistributedApplicationTestingBuilder _builder;

    private AppHostModel(IDistributedApplicationTestingBuilder builder) => _builder = builder;

    /// <summary>
    /// Every AppHost builder would otherwise watch its appsettings and user-secrets files; the inotify instances
    /// that costs are limited per user (128 here, shared with every other process of the machine).
    /// </summary>
    public const string NoConfigurationWatchers = "hostBuilder:reloadConfigOnChange=false";

    public IEnumerable<IResource> Resources => _builder.Resources;

    public DistributedApplicationExecutionContext ExecutionContext => _builder.ExecutionContext;

    /// <param name="mode">containers or local; local mode's state goes to <paramref name="dataPath"/> (only paths
    /// are computed from it while the model is declared).</param>
    public static async Task<AppHostModel> BuildAsync(string mode, string? dataPath = null, params string[] extraArgs)
    {
        var args = new List<string> { $"Infrastructure:Mode={mode}", NoConfigurationWatchers };
        if (dataPath is not null)
        {
            args.Add($"Infrastructure:DataPath={dataPath}");
        }

        args.AddRange(extraArgs);
        return new AppHostModel(await DistributedApplicationTestingBuilder.CreateAsync<Projects.AioStorage_AppHost>(args.ToArray()));
    }

    /// <summary>The model as <c>--publisher compose</c> (or manifest) sees it.</summary>
    public static Task<AppHostModel> BuildForPublishingAsync(string publisher = "compose", params string[] extraArgs)
        => BuildAsync("auto", null, ["--publisher", publisher, .. extraArgs]);

    public IResource Resource(string name)
        => Resources.SingleOrDefault(r => r.Name == name)
           ?? throw new Xunit.Sdk.XunitException($"No resource named '{name}'; resources: {string.Join(", ", Resources.Select(r => r.Name))}");

    public T Resource<T>(string name) where T : IResource
        => Assert.IsType<T>(Resource(name), exactMatch: false);

    /// <summary>Every resource but parameters and Aspire's hidden helpers (excluded from the manifest).</summary>
    public IReadOnlyList<string> ServiceNames()
        => Resources
            .Where(r => r is not ParameterResource)
            .Where(r => !(r.TryGetLastAnnotation<ManifestPublishingCallbackAnnotation>(out var manifest) && manifest.Callback is null))
            .Select(r => r.Name)
            .ToList();

    /// <summary>Runs the resource's environment callbacks as the orchestrator (run mode) or a publisher would,
    /// keeping the raw values: parameters, endpoint and connection-string references, expressions.</summary>
    public async Task<Dictionary<string, object>> EnvironmentAsync(string name)
    {
        var resource = Resource(name);
        var values = new Dictionary<string, object>();
        var context = new EnvironmentCallbackContext(ExecutionContext, resource, values);
        foreach (var annotation in resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await annotation.Callback(context);
        }

        return values;
    }

    public async Task<List<object>> ArgsAsync(string name)
    {
        var resource = Resource(name);
        var args = new List<object>();
        var context = new CommandLineArgsCallbackContext(args, resource) { ExecutionContext = ExecutionContext };
        foreach (var annotation in resource.Annotations.OfType<CommandLineArgsCallbackAnnotation>())
        {
            await annotation.Callback(context);
        }

        return args;
    }

    public static EndpointAnnotation Endpoint(IResource resource, string name)
        => resource.Annotations.OfType<EndpointAnnotation>().SingleOrDefault(e => e.Name == name)
           ?? throw new Xunit.Sdk.XunitException($"{resource.Name} has no endpoint '{name}'");

    public static IReadOnlyDictionary<string, WaitType> Waits(IResource resource)
        => resource.Annotations.OfType<WaitAnnotation>().ToDictionary(w => w.Resource.Name, w => w.WaitType);

    public ValueTask DisposeAsync() => _builder.DisposeAsync();
}

internal static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(string relativePath) => Path.Combine(Root, relativePath);

    public static string Read(string relativePath) => File.ReadAllText(PathOf(relativePath));

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "AioStorage.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No AioStorage.sln above {AppContext.BaseDirectory}");
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using AioStorage.AppHost.Infrastructure.Compose;
using AioStorage.Tests.Infrastructure;
using Aspire.Hosting.Testing;

namespace AioStorage.Tests.AppHost;

/// <summary>
/// aspire-manifest.json and docker-compose.yml are generated from the app model and committed. These tests generate
/// them again, through the same code paths as scripts/generate-deployment.sh, and fail when the committed files
/// differ: run the script and commit its output after every change to the AppHost.
/// </summary>
public sealed class DeploymentFileDriftTests
{
    private const string Regenerate = "regenerate with scripts/generate-deployment.sh and commit the result";

    [Fact]
    public async Task Committed_compose_file_is_what_the_app_model_generates()
    {
        await using var model = await AppHostModel.BuildForPublishingAsync(ComposeFileGenerator.PublisherName);

        var generated = await ComposeFileGenerator.GenerateAsync(model.Resources, model.ExecutionContext, RepositoryFiles.Root);

        var committed = RepositoryFiles.Read("docker-compose.yml");
        Assert.True(committed == generated, $"docker-compose.yml differs from the app model: {Regenerate}.\n{FirstDifference(committed, generated)}");
    }

    [Fact]
    public async Task Compose_publisher_command_writes_the_committed_file()
    {
        // The AppHost itself, as scripts/generate-deployment.sh runs it. It writes under artifacts/ (gitignored),
        // so its build context points back to the repository root: that relative path is the only difference.
        var outputDirectory = RepositoryFiles.PathOf(Path.Combine("artifacts", "drift", Guid.NewGuid().ToString("N")));
        try
        {
            var appHost = Path.Combine(RepositoryFiles.Root, "AioStorage.AppHost", "bin", BuildConfiguration(), "net10.0", "AioStorage.AppHost.dll");
            var (exitCode, output) = await RunAsync("dotnet", appHost, "--publisher", ComposeFileGenerator.PublisherName, "--output-path", outputDirectory);
            Assert.True(exitCode == 0, $"the compose publisher failed ({exitCode}):\n{output}");

            var contextToRoot = Path.GetRelativePath(outputDirectory, RepositoryFiles.Root).Replace('\\', '/');
            var written = File.ReadAllText(Path.Combine(outputDirectory, ComposeFileGenerator.DefaultFileName))
                .Replace($"context: {contextToRoot}\n", "context: .\n", StringComparison.Ordinal);
            var committed = RepositoryFiles.Read("docker-compose.yml");
            Assert.True(committed == written, $"docker-compose.yml differs from the publisher's output: {Regenerate}.\n{FirstDifference(committed, written)}");
        }
        finally
        {
            if (Directory.Exists(outputDirectory))
            {
                Directory.Delete(outputDirectory, recursive: true);
            }
        }
    }

    [Fact]
    public async Task Committed_manifest_is_what_the_manifest_publisher_writes()
    {
        // Aspire's own manifest publisher, run in-process. Its project paths are relative to the file it writes,
        // which here lives under artifacts/ (gitignored) rather than the repository root: they are re-expressed
        // relative to the root before comparing, the only normalisation.
        var outputDirectory = RepositoryFiles.PathOf(Path.Combine("artifacts", "drift", Guid.NewGuid().ToString("N")));
        var outputPath = Path.Combine(outputDirectory, "aspire-manifest.json");
        try
        {
            var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AioStorage_AppHost>(
                ["--publisher", "manifest", "--output-path", outputPath, AppHostModel.NoConfigurationWatchers]);
            await using (var app = await builder.BuildAsync())
            {
                await app.RunAsync().WaitAsync(TimeSpan.FromMinutes(2));
            }

            var generated = Normalise(JsonNode.Parse(File.ReadAllText(outputPath))!, outputDirectory);
            var committed = Normalise(JsonNode.Parse(RepositoryFiles.Read("aspire-manifest.json"))!, RepositoryFiles.Root);
            Assert.True(JsonNode.DeepEquals(committed, generated),
                $"aspire-manifest.json differs from the app model: {Regenerate}.\n{FirstDifference(Indented(committed), Indented(generated))}");
        }
        finally
        {
            if (Directory.Exists(outputDirectory))
            {
                Directory.Delete(outputDirectory, recursive: true);
            }
        }
    }

    [Fact]
    public void Manifest_and_compose_file_hold_no_machine_paths_or_secrets()
    {
        foreach (var file in new[] { "aspire-manifest.json", "docker-compose.yml" })
        {
            var text = RepositoryFiles.Read(file);
            Assert.DoesNotContain(RepositoryFiles.Root, text);
            Assert.DoesNotContain("/root/", text);
            Assert.DoesNotContain("/home/", text);
            Assert.DoesNotContain(".data", text);
        }
    }

    /// <summary>Debug or Release: the AppHost was built in the same configuration as this test assembly.</summary>
    private static string BuildConfiguration()
        => new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;

    private static async Task<(int ExitCode, string Output)> RunAsync(string fileName, params string[] args)
    {
        // The AppHost must not pick up a developer's launch profile or environment: generation is reproducible.
        var (exitCode, stdout, stderr) = await ChildProcess.RunAsync(fileName, args, RepositoryFiles.Root, TimeSpan.FromMinutes(2), start =>
        {
            start.Environment.Remove("DOTNET_ENVIRONMENT");
            start.Environment.Remove("ASPNETCORE_ENVIRONMENT");
        });
        return (exitCode, stdout + stderr);
    }

    private static string Indented(JsonNode node) => node.ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    private static JsonNode Normalise(JsonNode manifest, string manifestDirectory)
    {
        foreach (var (_, resource) in manifest["resources"]!.AsObject())
        {
            if (resource?["path"] is JsonValue path)
            {
                var absolute = Path.GetFullPath(Path.Combine(manifestDirectory, path.GetValue<string>()));
                resource["path"] = Path.GetRelativePath(RepositoryFiles.Root, absolute).Replace('\\', '/');
            }
        }

        return manifest;
    }

    private static string FirstDifference(string expected, string actual)
    {
        var expectedLines = expected.Split('\n');
        var actualLines = actual.Split('\n');
        for (var i = 0; i < Math.Max(expectedLines.Length, actualLines.Length); i++)
        {
            var committedLine = i < expectedLines.Length ? expectedLines[i] : "<end of file>";
            var generatedLine = i < actualLines.Length ? actualLines[i] : "<end of file>";
            if (committedLine != generatedLine)
            {
                return $"first difference at line {i + 1}:\n  committed: {committedLine}\n  generated: {generatedLine}";
            }
        }

        return "the files differ in line endings only";
    }
}

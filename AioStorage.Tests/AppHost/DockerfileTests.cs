using System.Text.RegularExpressions;
using System.Xml.Linq;
using YamlDotNet.RepresentationModel;

namespace AioStorage.Tests.AppHost;

/// <summary>
/// The three Dockerfiles cannot be built here (no container engine), so their contract is checked as text: the
/// multi-stage shape, a non-root user, a health check, the port compose expects, and a build stage that copies
/// every project the service depends on (a missing one only shows as a failed restore on someone else's machine).
/// </summary>
public sealed partial class DockerfileTests
{
    [Theory]
    [InlineData("Api", 4000, "/api/v1/health")]
    [InlineData("Worker", 8080, "/health")]
    [InlineData("Web", 3000, "/health")]
    public void Builds_with_the_sdk_and_runs_on_aspnet_as_the_app_user(string service, int port, string healthPath)
    {
        var dockerfile = Read(service);

        Assert.Equal(
            ["mcr.microsoft.com/dotnet/sdk:10.0 AS build", "mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime"],
            Instructions(dockerfile, "FROM"));
        Assert.Equal(["app"], Instructions(dockerfile, "USER"));
        Assert.Equal([port.ToString()], Instructions(dockerfile, "EXPOSE"));
        Assert.Contains($"ASPNETCORE_HTTP_PORTS={port}", dockerfile);
        Assert.Contains($"CMD curl -fsS http://localhost:{port}{healthPath} || exit 1", dockerfile);
        Assert.Matches(@"apt-get install -y --no-install-recommends [^\n]*\bcurl\b", dockerfile);
        Assert.Equal([$"[\"dotnet\", \"AioStorage.{service}.dll\"]"], Instructions(dockerfile, "ENTRYPOINT"));
        Assert.Contains($"RUN dotnet publish AioStorage.{service}/AioStorage.{service}.csproj", dockerfile);
    }

    [Theory]
    [InlineData("Api")]
    [InlineData("Worker")]
    [InlineData("Web")]
    public void Build_stage_copies_every_project_the_service_depends_on(string service)
    {
        var copies = Instructions(Read(service), "COPY").Where(c => !c.StartsWith("--from", StringComparison.Ordinal)).ToList();

        Assert.Contains("Directory.Build.props Directory.Packages.props ./", copies);
        foreach (var project in ProjectClosure($"AioStorage.{service}/AioStorage.{service}.csproj"))
        {
            var folder = Path.GetDirectoryName(project)!;
            Assert.Contains($"{project} {folder}/", copies);
            Assert.Contains($"{folder}/ {folder}/", copies);
        }
    }

    [Theory]
    [InlineData("Api")]
    [InlineData("Worker")]
    public void Services_sharing_the_file_storage_own_its_mount_point(string service)
    {
        var dockerfile = Read(service);

        Assert.Contains("RUN mkdir -p /app/storage && chown app:app /app/storage", dockerfile);
        Assert.Contains("STORAGE_PATH=/app/storage", dockerfile);
    }

    [Fact]
    public void Worker_image_has_ffmpeg()
    {
        Assert.Matches(@"apt-get install -y --no-install-recommends [^\n]*\bffmpeg\b", Read("Worker"));
    }

    [Theory]
    [InlineData("api", "Api")]
    [InlineData("worker", "Worker")]
    [InlineData("web", "Web")]
    public void Image_listens_where_the_compose_file_sends_traffic(string composeService, string project)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(RepositoryFiles.Read("docker-compose.yml")));
        var service = (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)stream.Documents[0].RootNode)["services"])[composeService];
        var httpPorts = ((YamlScalarNode)((YamlMappingNode)service["environment"])["HTTP_PORTS"]).Value;

        Assert.Contains($"ASPNETCORE_HTTP_PORTS={httpPorts}", Read(project));
    }

    [Fact]
    public void Docker_ignore_keeps_build_output_and_secrets_out_of_the_context()
    {
        var ignored = RepositoryFiles.Read(".dockerignore").Split('\n', StringSplitOptions.TrimEntries);

        Assert.Contains("**/bin/", ignored);
        Assert.Contains("**/obj/", ignored);
        Assert.Contains(".env", ignored);
        Assert.Contains(".data/", ignored);
        Assert.Contains(".git/", ignored);
    }

    private static string Read(string service) => RepositoryFiles.Read($"AioStorage.{service}/Dockerfile");

    /// <summary>Arguments of every instruction of that kind, with line continuations joined.</summary>
    private static List<string> Instructions(string dockerfile, string instruction)
        => InstructionLine().Matches(dockerfile.Replace("\\\n", " "))
            .Where(m => m.Groups["name"].Value == instruction)
            .Select(m => Regex.Replace(m.Groups["args"].Value.Trim(), @"\s+", " "))
            .ToList();

    /// <summary>The project and everything it references, transitively, as repository-relative paths.</summary>
    private static SortedSet<string> ProjectClosure(string project)
    {
        var closure = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([project]);
        while (pending.TryPop(out var current))
        {
            if (!closure.Add(current))
            {
                continue;
            }

            var folder = Path.GetDirectoryName(current)!;
            foreach (var reference in XDocument.Load(RepositoryFiles.PathOf(current)).Descendants("ProjectReference"))
            {
                var include = reference.Attribute("Include")!.Value.Replace('\\', '/');
                var resolved = Path.GetRelativePath(RepositoryFiles.Root, Path.GetFullPath(Path.Combine(RepositoryFiles.Root, folder, include)));
                pending.Push(resolved.Replace('\\', '/'));
            }
        }

        return closure;
    }

    [GeneratedRegex(@"^(?<name>[A-Z]+)\s+(?<args>.*)$", RegexOptions.Multiline)]
    private static partial Regex InstructionLine();
}

using System.Text.RegularExpressions;
using AioStorage.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace AioStorage.Tests.AppHost;

/// <summary>
/// docker-compose.yml against the seed's infrastructure document, container by container, and the production
/// override against the seed's limits. (DeploymentFileDriftTests proves the file is what the app model generates;
/// these prove the model generates what the operators were promised.)
/// </summary>
public sealed partial class ComposeFileTests
{
    private const string MongoPassword = "${MONGO_PASSWORD:?set it in .env (see .env.example)}";
    private const string RabbitMqPassword = "${RABBITMQ_PASSWORD:?set it in .env (see .env.example)}";
    private const string JwtSecret = "${JWT_SECRET:?set it in .env (see .env.example)}";

    private static readonly YamlMappingNode Compose = Load("docker-compose.yml");
    private static readonly YamlMappingNode Production = Load("docker-compose.prod.yml");

    [Fact]
    public void Is_a_version_3_8_file_without_a_top_level_name()
    {
        Assert.Equal("3.8", Text(Compose, "version"));
        Assert.Null(Child(Compose, "name"));
        Assert.Equal(["mongodb", "redis", "rabbitmq", "api", "worker", "web"], Keys(Map(Compose, "services")));
    }

    [Fact]
    public void Mongodb_is_the_seed_container()
    {
        var mongodb = Service("mongodb");
        Assert.Equal("aio-storage-mongodb", Text(mongodb, "container_name"));
        Assert.Equal("mongo:8.0", Text(mongodb, "image"));
        Assert.Equal(["27017:27017"], Texts(mongodb, "ports"));
        Assert.Equal(["mongodb_data:/data/db", "mongodb_config:/data/configdb"], Texts(mongodb, "volumes"));
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["MONGO_INITDB_ROOT_USERNAME"] = "admin",
                ["MONGO_INITDB_ROOT_PASSWORD"] = MongoPassword,
                ["MONGO_INITDB_DATABASE"] = "aio_storage",
            },
            Environment(mongodb));
        Assert.Equal("echo 'db.runCommand(\"ping\").ok' | mongosh localhost:27017/test --quiet", HealthCheck(mongodb));
        Assert.Equal(["aio-network"], Texts(mongodb, "networks"));
    }

    [Fact]
    public void Redis_is_the_seed_container_with_rdb_and_aof_persistence()
    {
        var redis = Service("redis");
        Assert.Equal("aio-storage-redis", Text(redis, "container_name"));
        Assert.Equal("redis:7-alpine", Text(redis, "image"));
        Assert.Equal(["6379:6379"], Texts(redis, "ports"));
        Assert.Equal(["redis_data:/data"], Texts(redis, "volumes"));
        Assert.Equal("redis-cli ping", HealthCheck(redis));
        Assert.Equal(["/bin/sh"], Texts(redis, "entrypoint"));
        Assert.Equal(["-c", "redis-server --save 60 1 --appendonly yes"], Texts(redis, "command"));
        Assert.Null(Child(redis, "environment"));
        Assert.Equal(["aio-network"], Texts(redis, "networks"));
    }

    [Fact]
    public void Rabbitmq_is_the_seed_container_with_the_management_ui()
    {
        var rabbitmq = Service("rabbitmq");
        Assert.Equal("aio-storage-rabbitmq", Text(rabbitmq, "container_name"));
        // RabbitMQ stores its data under its node name, rabbit@<hostname>: a fixed hostname keeps it across re-creations.
        Assert.Equal("rabbitmq", Text(rabbitmq, "hostname"));
        Assert.Equal("rabbitmq:3-management-alpine", Text(rabbitmq, "image"));
        Assert.Equal(["5672:5672", "15672:15672"], Texts(rabbitmq, "ports"));
        Assert.Equal(["rabbitmq_data:/var/lib/rabbitmq"], Texts(rabbitmq, "volumes"));
        Assert.Equal(
            new Dictionary<string, string> { ["RABBITMQ_DEFAULT_USER"] = "admin", ["RABBITMQ_DEFAULT_PASS"] = RabbitMqPassword },
            Environment(rabbitmq));
        Assert.Equal("rabbitmq-diagnostics -q ping", HealthCheck(rabbitmq));
        Assert.Equal(["aio-network"], Texts(rabbitmq, "networks"));
    }

    [Fact]
    public void Api_is_built_from_its_dockerfile_and_gets_the_seed_environment()
    {
        var api = Service("api");
        Assert.Equal("aio-storage-api", Text(api, "container_name"));
        Assert.Equal(".", Text(Map(api, "build"), "context"));
        Assert.Equal("AioStorage.Api/Dockerfile", Text(Map(api, "build"), "dockerfile"));
        Assert.Equal(["4000:4000"], Texts(api, "ports"));
        Assert.Equal(["file_storage:/app/storage"], Texts(api, "volumes"));

        var env = Environment(api);
        Assert.Equal($"mongodb://admin:{MongoPassword}@mongodb:27017/aio_storage?authSource=admin", env["MONGODB_URI"]);
        Assert.Equal("redis://redis:6379", env["REDIS_URL"]);
        Assert.Equal($"amqp://admin:{RabbitMqPassword}@rabbitmq:5672", env["RABBITMQ_URL"]);
        Assert.Equal(JwtSecret, env["JWT_SECRET"]);
        Assert.Equal("7d", env["JWT_EXPIRES_IN"]);
        Assert.Equal("4000", env["API_PORT"]);
        Assert.Equal("4000", env["HTTP_PORTS"]);
        Assert.Equal("/app/storage", env["STORAGE_PATH"]);
        Assert.Equal("104857600", env["MAX_FILE_SIZE"]);
        Assert.Equal("mongodb", env["METADATA_PROVIDER"]);
        Assert.Equal("${ASPNETCORE_ENVIRONMENT:-Production}", env["ASPNETCORE_ENVIRONMENT"]);
        Assert.DoesNotContain(env.Keys, k => k.StartsWith("ConnectionStrings__", StringComparison.Ordinal));

        Assert.Equal(
            new Dictionary<string, string> { ["mongodb"] = "service_healthy", ["redis"] = "service_healthy", ["rabbitmq"] = "service_healthy" },
            DependsOn(api));
        Assert.Equal("curl -fsS http://localhost:4000/api/v1/health", HealthCheck(api));
        Assert.Equal(["aio-network"], Texts(api, "networks"));
    }

    [Fact]
    public void Worker_can_scale_out_and_shares_the_file_storage_with_the_api()
    {
        var worker = Service("worker");
        Assert.Null(Child(worker, "container_name"));
        Assert.Contains("No container_name: a fixed name allows one container only", Read("docker-compose.yml"));
        Assert.Contains("--scale worker=3", Read("docker-compose.yml"));
        Assert.Equal("AioStorage.Worker/Dockerfile", Text(Map(worker, "build"), "dockerfile"));
        Assert.Null(Child(worker, "ports"));
        Assert.Equal(["file_storage:/app/storage"], Texts(worker, "volumes"));

        var env = Environment(worker);
        Assert.Equal($"mongodb://admin:{MongoPassword}@mongodb:27017/aio_storage?authSource=admin", env["MONGODB_URI"]);
        Assert.Equal("redis://redis:6379", env["REDIS_URL"]);
        Assert.Equal($"amqp://admin:{RabbitMqPassword}@rabbitmq:5672", env["RABBITMQ_URL"]);
        Assert.Equal("/app/storage", env["STORAGE_PATH"]);
        Assert.DoesNotContain("JWT_SECRET", env.Keys);

        Assert.Equal(
            new Dictionary<string, string> { ["mongodb"] = "service_healthy", ["rabbitmq"] = "service_healthy", ["redis"] = "service_healthy" },
            DependsOn(worker));
        Assert.Equal(["aio-network"], Texts(worker, "networks"));
    }

    [Fact]
    public void Web_reaches_the_api_by_service_name_and_tells_browsers_the_published_address()
    {
        var web = Service("web");
        Assert.Equal("aio-storage-web", Text(web, "container_name"));
        Assert.Equal("AioStorage.Web/Dockerfile", Text(Map(web, "build"), "dockerfile"));
        Assert.Equal(["3000:3000"], Texts(web, "ports"));

        var env = Environment(web);
        Assert.Equal("http://api:4000", env["services__api__http__0"]);
        Assert.Equal("http://localhost:4000", env["NEXT_PUBLIC_API_URL"]);
        Assert.Equal("${ASPNETCORE_ENVIRONMENT:-Production}", env["ASPNETCORE_ENVIRONMENT"]);

        Assert.Equal(new Dictionary<string, string> { ["api"] = "service_healthy" }, DependsOn(web));
        Assert.Equal(["aio-network"], Texts(web, "networks"));
    }

    [Fact]
    public void Declares_the_bridge_network_and_the_seed_volumes()
    {
        Assert.Equal("bridge", Text(Map(Map(Compose, "networks"), "aio-network"), "driver"));
        Assert.Equal(["mongodb_data", "mongodb_config", "redis_data", "rabbitmq_data", "file_storage"], Keys(Map(Compose, "volumes")));
    }

    [Theory]
    [InlineData("mongodb", "2", "4G", "1", "2G")]
    [InlineData("redis", "1", "1G", "0.5", "512M")]
    [InlineData("rabbitmq", "1", "1G", "0.5", "512M")]
    public void Production_override_sets_the_seed_resource_limits(string name, string cpus, string memory, string reservedCpus, string reservedMemory)
    {
        var resources = Map(Map(Map(Map(Production, "services"), name), "deploy"), "resources");
        Assert.Equal((cpus, memory), (Text(Map(resources, "limits"), "cpus"), Text(Map(resources, "limits"), "memory")));
        Assert.Equal((reservedCpus, reservedMemory), (Text(Map(resources, "reservations"), "cpus"), Text(Map(resources, "reservations"), "memory")));
    }

    [Fact]
    public void Production_redis_keeps_the_generated_persistence_and_adds_the_lru_eviction_policy()
    {
        var baseCommand = Texts(Service("redis"), "command");
        var productionCommand = Texts(Map(Map(Production, "services"), "redis"), "command");

        Assert.Equal(baseCommand[0], productionCommand[0]);
        Assert.Equal($"{baseCommand[1]} --maxmemory 512mb --maxmemory-policy allkeys-lru", productionCommand[1]);
    }

    [Fact]
    public void Production_override_only_touches_services_of_the_generated_file()
    {
        Assert.Empty(Keys(Map(Production, "services")).Except(Keys(Map(Compose, "services"))));
        Assert.Equal(Text(Compose, "version"), Text(Production, "version"));
    }

    [Fact]
    public void Env_example_defines_every_required_variable_with_a_placeholder_only()
    {
        var example = Read(".env.example")
            .Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Where(line => !line.StartsWith('#'))
            .Select(line => line.Split('=', 2))
            .ToDictionary(parts => parts[0], parts => parts[1]);

        var required = RequiredVariable().Matches(Read("docker-compose.yml") + Read("docker-compose.prod.yml"))
            .Select(m => m.Groups["name"].Value)
            .ToHashSet();
        Assert.Equal(["JWT_SECRET", "MONGO_PASSWORD", "RABBITMQ_PASSWORD"], required.Order());
        foreach (var name in required)
        {
            Assert.True(example.TryGetValue(name, out var value), $".env.example lacks {name}");
            Assert.StartsWith("change-me", value);
            Assert.Matches("^[A-Za-z0-9-]+$", value);
        }

        Assert.Equal("aio-storage", example["COMPOSE_PROJECT_NAME"]);
    }

    [Fact]
    public async Task Docker_compose_accepts_the_base_and_production_files()
    {
        var (exitCode, output) = await DockerComposeAsync("--env-file", ".env.example", "-f", "docker-compose.yml", "-f", "docker-compose.prod.yml", "config", "-q");

        Assert.True(exitCode == 0, $"docker-compose config failed ({exitCode}):\n{output}");
    }

    [Fact]
    public async Task Docker_compose_refuses_to_start_without_the_secrets()
    {
        // An empty env file: without it docker-compose would read a developer's .env.
        var emptyEnvFile = Path.GetTempFileName();
        try
        {
            var (exitCode, output) = await DockerComposeAsync("--env-file", emptyEnvFile, "-f", "docker-compose.yml", "config", "-q");

            Assert.NotEqual(0, exitCode);
            Assert.Contains("set it in .env", output);
        }
        finally
        {
            File.Delete(emptyEnvFile);
        }
    }

    [GeneratedRegex(@"\$\{(?<name>[A-Z_][A-Z0-9_]*):\?")]
    private static partial Regex RequiredVariable();

    private static async Task<(int ExitCode, string Output)> DockerComposeAsync(params string[] args)
    {
        // Debian's docker-compose 1.29 validates files without a container engine; CI installs it (.ci/run).
        const string binary = "/usr/bin/docker-compose";
        Assert.True(File.Exists(binary), "docker-compose is not installed: apt-get install --no-install-recommends docker-compose");
        var (exitCode, stdout, stderr) = await ChildProcess.RunAsync(binary, args, RepositoryFiles.Root);
        return (exitCode, stdout + stderr);
    }

    private static YamlMappingNode Load(string file)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(Read(file)));
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    private static string Read(string file) => RepositoryFiles.Read(file);

    private static YamlMappingNode Service(string name) => Map(Map(Compose, "services"), name);

    private static YamlNode? Child(YamlMappingNode map, string key)
        => map.Children.TryGetValue(new YamlScalarNode(key), out var node) ? node : null;

    private static YamlMappingNode Map(YamlMappingNode map, string key)
        => Assert.IsType<YamlMappingNode>(Child(map, key) ?? throw new Xunit.Sdk.XunitException($"missing key '{key}'"));

    private static string Text(YamlMappingNode map, string key)
        => Assert.IsType<YamlScalarNode>(Child(map, key) ?? throw new Xunit.Sdk.XunitException($"missing key '{key}'")).Value!;

    private static List<string> Texts(YamlMappingNode map, string key)
        => Assert.IsType<YamlSequenceNode>(Child(map, key) ?? throw new Xunit.Sdk.XunitException($"missing key '{key}'"))
            .Children.Select(n => ((YamlScalarNode)n).Value!).ToList();

    private static List<string> Keys(YamlMappingNode map) => map.Children.Keys.Select(k => ((YamlScalarNode)k).Value!).ToList();

    private static Dictionary<string, string> Environment(YamlMappingNode service)
        => Map(service, "environment").Children.ToDictionary(e => ((YamlScalarNode)e.Key).Value!, e => ((YamlScalarNode)e.Value).Value!);

    private static Dictionary<string, string> DependsOn(YamlMappingNode service)
        => Map(service, "depends_on").Children.ToDictionary(
            e => ((YamlScalarNode)e.Key).Value!,
            e => Text((YamlMappingNode)e.Value, "condition"));

    private static string HealthCheck(YamlMappingNode service)
    {
        var test = Texts(Map(service, "healthcheck"), "test");
        Assert.Equal("CMD-SHELL", test[0]);
        return Assert.Single(test.Skip(1));
    }
}

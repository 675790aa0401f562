using AioStorage.AppHost.Infrastructure;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace AioStorage.Tests.AppHost;

/// <summary>The app model in local mode: Debian's Redis and RabbitMQ as executables, SQLite for metadata.</summary>
public sealed class LocalModeModelTests : IAsyncLifetime
{
    private readonly string _dataPath = Path.Combine(Path.GetTempPath(), "aio-apphost-model-" + Guid.NewGuid().ToString("N"));
    private AppHostModel _model = null!;

    public async Task InitializeAsync() => _model = await AppHostModel.BuildAsync("local", _dataPath);

    public async Task DisposeAsync() => await _model.DisposeAsync();

    [Fact]
    public void Declares_redis_rabbitmq_with_its_epmd_and_the_services_but_no_mongodb()
    {
        Assert.Equal(["redis", "rabbitmq-epmd", "rabbitmq", "api", "worker", "web"], _model.ServiceNames());
        Assert.Equal("redis-server", _model.Resource<LocalRedisResource>("redis").Command);
        Assert.Equal("/usr/lib/rabbitmq/bin/rabbitmq-server", _model.Resource<LocalRabbitMqResource>("rabbitmq").Command);
        Assert.Equal("epmd", _model.Resource<ExecutableResource>("rabbitmq-epmd").Command);
    }

    [Fact]
    public void Building_the_model_creates_no_folders()
    {
        Assert.False(Directory.Exists(_dataPath));
    }

    [Theory]
    [InlineData("redis", "tcp", 6379)]
    [InlineData("rabbitmq", "tcp", 5672)]
    [InlineData("rabbitmq", "management", 15672)]
    [InlineData("rabbitmq", "dist", 25672)]
    [InlineData("rabbitmq-epmd", "tcp", 14369)]
    public void Servers_own_their_ports_without_a_proxy(string name, string endpoint, int port)
    {
        var annotation = AppHostModel.Endpoint(_model.Resource(name), endpoint);
        Assert.Equal(port, annotation.Port);
        Assert.Equal(port, annotation.TargetPort);
        Assert.False(annotation.IsProxied);
    }

    [Fact]
    public async Task Redis_keeps_rdb_snapshots_and_the_append_only_file_in_the_data_folder()
    {
        var args = (await _model.ArgsAsync("redis")).Select(Describe).ToList();

        Assert.Equal(Path.Combine(_dataPath, "redis"), After(args, "--dir"));
        Assert.Equal("yes", After(args, "--appendonly"));
        Assert.Equal("60 1", After(args, "--save"));
        Assert.Equal("127.0.0.1", After(args, "--bind"));
        Assert.Equal("{redis.bindings.tcp.targetPort}", After(args, "--port"));
    }

    [Fact]
    public async Task Rabbitmq_keeps_all_its_state_under_the_data_folder_and_talks_to_its_private_epmd()
    {
        var env = await _model.EnvironmentAsync("rabbitmq");
        var home = Path.Combine(_dataPath, "rabbitmq");

        Assert.Equal(home, env["HOME"]);
        Assert.Equal("rabbitmq@localhost", env["RABBITMQ_NODENAME"]);
        Assert.Equal("-", env["RABBITMQ_LOGS"]);
        foreach (var name in new[] { "RABBITMQ_MNESIA_BASE", "RABBITMQ_LOG_BASE", "RABBITMQ_PID_FILE", "RABBITMQ_ENABLED_PLUGINS_FILE", "RABBITMQ_CONFIG_FILE", "RABBITMQ_CONF_ENV_FILE" })
        {
            Assert.StartsWith(home + Path.DirectorySeparatorChar, Assert.IsType<string>(env[name]));
        }

        Assert.Equal("{rabbitmq.bindings.tcp.targetPort}", Describe(env["RABBITMQ_NODE_PORT"]));
        Assert.Equal("{rabbitmq.bindings.dist.targetPort}", Describe(env["RABBITMQ_DIST_PORT"]));
        Assert.Equal("{rabbitmq-epmd.bindings.tcp.targetPort}", Describe(env["ERL_EPMD_PORT"]));
        Assert.Equal(new Dictionary<string, WaitType> { ["rabbitmq-epmd"] = WaitType.WaitUntilHealthy },
            AppHostModel.Waits(_model.Resource("rabbitmq")));
    }

    [Fact]
    public async Task Rabbitmq_password_never_appears_in_arguments_or_environment()
    {
        var rabbitmq = _model.Resource<LocalRabbitMqResource>("rabbitmq");
        var values = (await _model.EnvironmentAsync("rabbitmq")).Values.Concat(await _model.ArgsAsync("rabbitmq")).ToList();

        Assert.DoesNotContain(values, v => v is ParameterResource);
        var password = await rabbitmq.PasswordParameter.GetValueAsync(default);
        Assert.False(string.IsNullOrEmpty(password));
        Assert.DoesNotContain(values.OfType<string>(), v => v.Contains(password!, StringComparison.Ordinal));
    }

    [Fact]
    public void Connection_strings_have_the_shapes_of_the_container_integrations_with_an_ipv4_host()
    {
        // The servers listen on 127.0.0.1 only; "localhost" could resolve to ::1 first.
        var redis = _model.Resource<LocalRedisResource>("redis").ConnectionStringExpression;
        Assert.Equal("{redis.bindings.tcp.host}:{redis.bindings.tcp.port}", redis.ValueExpression);
        Assert.Equal(EndpointProperty.IPV4Host, Assert.IsType<EndpointReferenceExpression>(redis.ValueProviders[0]).Property);

        var rabbitmq = _model.Resource<LocalRabbitMqResource>("rabbitmq").ConnectionStringExpression;
        Assert.Equal("amqp://{rabbitmq-username.value}:{rabbitmq-password.value}@{rabbitmq.bindings.tcp.host}:{rabbitmq.bindings.tcp.port}",
            rabbitmq.ValueExpression);
        Assert.Equal(EndpointProperty.IPV4Host, Assert.IsType<EndpointReferenceExpression>(rabbitmq.ValueProviders[2]).Property);
    }

    [Theory]
    [InlineData("redis")]
    [InlineData("rabbitmq")]
    [InlineData("rabbitmq-epmd")]
    public void Servers_have_protocol_health_checks(string name)
    {
        Assert.NotEmpty(_model.Resource(name).Annotations.OfType<HealthCheckAnnotation>());
    }

    [Theory]
    [InlineData("api")]
    [InlineData("worker")]
    public async Task Api_and_worker_keep_metadata_in_sqlite_and_files_in_the_data_folder(string name)
    {
        var env = await _model.EnvironmentAsync(name);

        Assert.Equal("sqlite", env["METADATA_PROVIDER"]);
        Assert.Equal(Path.Combine(_dataPath, "metadata", "aio-storage.db"), env["SQLITE_PATH"]);
        Assert.Equal(Path.Combine(_dataPath, "file_storage"), env["STORAGE_PATH"]);
        Assert.DoesNotContain("ConnectionStrings__mongodb", env.Keys);
        Assert.Equal("redis", Assert.IsType<ConnectionStringReference>(env["ConnectionStrings__redis"]).Resource.Name);
        Assert.Equal("rabbitmq", Assert.IsType<ConnectionStringReference>(env["ConnectionStrings__rabbitmq"]).Resource.Name);
        Assert.Equal(
            new Dictionary<string, WaitType> { ["redis"] = WaitType.WaitUntilHealthy, ["rabbitmq"] = WaitType.WaitUntilHealthy },
            AppHostModel.Waits(_model.Resource(name)).OrderBy(w => w.Key).ToDictionary());
    }

    [Fact]
    public async Task Local_ports_come_from_configuration()
    {
        await using var model = await AppHostModel.BuildAsync("local", _dataPath,
            "Ports:Redis=16479", "Ports:RabbitMq=15673", "Ports:RabbitMqManagement=25673", "Ports:RabbitMqDistribution=35673", "Ports:Epmd=14370");

        Assert.Equal(16479, AppHostModel.Endpoint(model.Resource("redis"), "tcp").TargetPort);
        Assert.Equal(15673, AppHostModel.Endpoint(model.Resource("rabbitmq"), "tcp").TargetPort);
        Assert.Equal(25673, AppHostModel.Endpoint(model.Resource("rabbitmq"), "management").TargetPort);
        Assert.Equal(35673, AppHostModel.Endpoint(model.Resource("rabbitmq"), "dist").TargetPort);
        Assert.Equal(14370, AppHostModel.Endpoint(model.Resource("rabbitmq-epmd"), "tcp").TargetPort);
        Assert.Contains("14370", (await model.ArgsAsync("rabbitmq-epmd")).OfType<string>());
    }

    [Fact]
    public async Task Publishing_ignores_local_mode_and_describes_the_containers()
    {
        await using var model = await AppHostModel.BuildAsync("local", _dataPath, "--publisher", "manifest");

        Assert.IsType<MongoDbServerResource>(model.Resource("mongodb"));
        Assert.IsType<RedisResource>(model.Resource("redis"));
    }

    private static string Describe(object value) => value switch
    {
        string text => text,
        IManifestExpressionProvider expression => expression.ValueExpression,
        _ => value.ToString() ?? "",
    };

    private static string After(List<string> args, string flag)
    {
        var index = args.IndexOf(flag);
        Assert.True(index >= 0 && index + 1 < args.Count, $"{flag} missing in: {string.Join(' ', args)}");
        return args[index + 1];
    }
}

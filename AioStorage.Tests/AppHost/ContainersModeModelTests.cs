using AioStorage.AppHost.Infrastructure;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace AioStorage.Tests.AppHost;

/// <summary>The app model in containers mode: the seed's images, volumes and ports, and how the services are wired.</summary>
public sealed class ContainersModeModelTests : IAsyncLifetime
{
    private AppHostModel _model = null!;

    public async Task InitializeAsync() => _model = await AppHostModel.BuildAsync("containers");

    public async Task DisposeAsync() => await _model.DisposeAsync();

    [Fact]
    public void Declares_the_three_servers_and_three_services_by_their_seed_names()
    {
        Assert.Equal(["mongodb", "redis", "rabbitmq", "api", "worker", "web"], _model.ServiceNames());
    }

    [Theory]
    [InlineData("mongodb", "mongo", "8.0")]
    [InlineData("redis", "redis", "7-alpine")]
    [InlineData("rabbitmq", "library/rabbitmq", "3-management-alpine")]
    public void Servers_run_the_seed_images_from_docker_hub(string name, string image, string tag)
    {
        var annotation = Assert.Single(_model.Resource<ContainerResource>(name).Annotations.OfType<ContainerImageAnnotation>());
        Assert.Equal(image, annotation.Image);
        Assert.Equal(tag, annotation.Tag);
        Assert.Equal("docker.io", annotation.Registry);
    }

    [Theory]
    [InlineData("mongodb", "mongodb_data:/data/db,mongodb_config:/data/configdb")]
    [InlineData("redis", "redis_data:/data")]
    [InlineData("rabbitmq", "rabbitmq_data:/var/lib/rabbitmq")]
    public void Servers_keep_their_state_in_the_seed_named_volumes(string name, string expected)
    {
        var mounts = _model.Resource(name).Annotations.OfType<ContainerMountAnnotation>().ToList();
        Assert.All(mounts, m => Assert.Equal(ContainerMountType.Volume, m.Type));
        Assert.Equal(expected, string.Join(",", mounts.Select(m => $"{m.Source}:{m.Target}")));
    }

    [Theory]
    [InlineData("mongodb", "tcp", 27017, 27017)]
    [InlineData("redis", "tcp", 6379, 6379)]
    [InlineData("rabbitmq", "tcp", 5672, 5672)]
    [InlineData("rabbitmq", "management", 15672, 15672)]
    public void Servers_listen_on_the_seed_ports(string name, string endpoint, int port, int targetPort)
    {
        var annotation = AppHostModel.Endpoint(_model.Resource(name), endpoint);
        Assert.Equal(port, annotation.Port);
        Assert.Equal(targetPort, annotation.TargetPort);
    }

    [Fact]
    public async Task Mongodb_creates_the_root_user_and_database_and_its_connection_string_targets_aio_storage()
    {
        var mongodb = _model.Resource<MongoDbServerResource>("mongodb");
        var env = await _model.EnvironmentAsync("mongodb");

        Assert.Equal(["MONGO_INITDB_ROOT_USERNAME", "MONGO_INITDB_ROOT_PASSWORD", "MONGO_INITDB_DATABASE"], env.Keys);
        Assert.Equal("mongo-username", Assert.IsType<ParameterResource>(env["MONGO_INITDB_ROOT_USERNAME"]).Name);
        Assert.True(Assert.IsType<ParameterResource>(env["MONGO_INITDB_ROOT_PASSWORD"]).Secret);
        Assert.Equal("aio_storage", env["MONGO_INITDB_DATABASE"]);
        Assert.Equal(
            "mongodb://{mongo-username.value}:{mongo-password.value}@{mongodb.bindings.tcp.host}:{mongodb.bindings.tcp.port}/aio_storage?authSource=admin",
            mongodb.ConnectionStringExpression.ValueExpression);
    }

    [Fact]
    public async Task Redis_has_no_password_and_persists_with_rdb_snapshots_and_the_append_only_file()
    {
        var redis = _model.Resource<RedisResource>("redis");
        Assert.Null(redis.PasswordParameter);
        Assert.DoesNotContain("REDIS_PASSWORD", (await _model.EnvironmentAsync("redis")).Keys);

        // Under the AppHost, AddRedis passes redis-server's arguments one by one...
        Assert.Equal("redis-server --save 60 1 --appendonly yes", string.Join(' ', await _model.ArgsAsync("redis")));

        // ...and when publishing, as one shell command.
        await using var published = await AppHostModel.BuildForPublishingAsync("manifest");
        Assert.Equal("/bin/sh", published.Resource<RedisResource>("redis").Entrypoint);
        Assert.Equal(["-c", "redis-server --save 60 1 --appendonly yes"], await published.ArgsAsync("redis"));
    }

    [Fact]
    public async Task Rabbitmq_default_user_is_admin_with_a_generated_secret_password()
    {
        var rabbitmq = _model.Resource<RabbitMQServerResource>("rabbitmq");
        Assert.Equal("admin", await rabbitmq.UserNameParameter!.GetValueAsync(default));
        Assert.True(rabbitmq.PasswordParameter.Secret);
        Assert.Equal("rabbitmq-password", rabbitmq.PasswordParameter.Name);

        var env = await _model.EnvironmentAsync("rabbitmq");
        Assert.Same(rabbitmq.PasswordParameter, env["RABBITMQ_DEFAULT_PASS"]);
    }

    [Theory]
    [InlineData("jwt-secret")]
    [InlineData("rabbitmq-password")]
    [InlineData("mongo-password")]
    public void Credentials_are_generated_secret_parameters_kept_in_user_secrets(string name)
    {
        var parameter = _model.Resource<ParameterResource>(name);
        Assert.True(parameter.Secret);
        // Aspire's internal wrapper around the generated default: the value is saved to the AppHost's user secrets.
        Assert.Equal("UserSecretsParameterDefault", parameter.Default?.GetType().Name);
    }

    [Theory]
    [InlineData("mongodb")]
    [InlineData("redis")]
    [InlineData("rabbitmq")]
    [InlineData("api")]
    [InlineData("worker")]
    [InlineData("web")]
    public void Every_resource_has_a_health_check(string name)
    {
        Assert.NotEmpty(_model.Resource(name).Annotations.OfType<HealthCheckAnnotation>());
    }

    [Fact]
    public void Api_waits_until_mongodb_redis_and_rabbitmq_are_healthy()
    {
        Assert.Equal(
            new Dictionary<string, WaitType>
            {
                ["mongodb"] = WaitType.WaitUntilHealthy,
                ["redis"] = WaitType.WaitUntilHealthy,
                ["rabbitmq"] = WaitType.WaitUntilHealthy,
            },
            AppHostModel.Waits(_model.Resource("api")));
    }

    [Fact]
    public void Worker_waits_until_mongodb_rabbitmq_and_redis_are_healthy()
    {
        Assert.Equal(
            new Dictionary<string, WaitType>
            {
                ["mongodb"] = WaitType.WaitUntilHealthy,
                ["rabbitmq"] = WaitType.WaitUntilHealthy,
                ["redis"] = WaitType.WaitUntilHealthy,
            },
            AppHostModel.Waits(_model.Resource("worker")));
    }

    [Fact]
    public void Web_waits_until_the_api_is_healthy()
    {
        Assert.Equal(new Dictionary<string, WaitType> { ["api"] = WaitType.WaitUntilHealthy },
            AppHostModel.Waits(_model.Resource("web")));
    }

    [Theory]
    [InlineData("api", 4000)]
    [InlineData("web", 3000)]
    public void Api_and_web_serve_http_on_their_seed_port_to_the_outside(string name, int port)
    {
        var http = AppHostModel.Endpoint(_model.Resource(name), "http");
        Assert.Equal("http", http.UriScheme);
        Assert.Equal(port, http.Port);
        Assert.Equal(port, http.TargetPort);
        Assert.True(http.IsExternal);
    }

    [Fact]
    public void Worker_has_an_internal_http_endpoint_and_one_replica_by_default()
    {
        var worker = _model.Resource("worker");
        var http = AppHostModel.Endpoint(worker, "http");
        Assert.False(http.IsExternal);
        Assert.Null(http.Port);
        Assert.Equal(1, Assert.Single(worker.Annotations.OfType<ReplicaAnnotation>()).Replicas);
    }

    [Fact]
    public async Task Api_receives_the_connection_strings_and_settings_of_the_configuration_contract()
    {
        var env = await _model.EnvironmentAsync("api");

        Assert.Equal("mongodb", ConnectionTarget(env, "ConnectionStrings__mongodb"));
        Assert.Equal("redis", ConnectionTarget(env, "ConnectionStrings__redis"));
        Assert.Equal("rabbitmq", ConnectionTarget(env, "ConnectionStrings__rabbitmq"));
        Assert.Equal("mongodb", env["METADATA_PROVIDER"]);
        Assert.DoesNotContain("SQLITE_PATH", env.Keys);
        Assert.Equal("jwt-secret", Assert.IsType<ParameterResource>(env["JWT_SECRET"]).Name);
        Assert.Equal("7d", env["JWT_EXPIRES_IN"]);
        Assert.Equal("104857600", env["MAX_FILE_SIZE"]);
        var apiPort = Assert.IsType<EndpointReferenceExpression>(env["API_PORT"]);
        Assert.Equal(("api", "http", EndpointProperty.TargetPort), (apiPort.Endpoint.Resource.Name, apiPort.Endpoint.EndpointName, apiPort.Property));
        Assert.Equal(Path.Combine(RepositoryFiles.Root, ".data", "file_storage"), env["STORAGE_PATH"]);
    }

    [Fact]
    public async Task Worker_receives_mongodb_rabbitmq_redis_and_the_shared_storage_but_no_jwt_secret()
    {
        var env = await _model.EnvironmentAsync("worker");

        Assert.Equal("mongodb", ConnectionTarget(env, "ConnectionStrings__mongodb"));
        Assert.Equal("rabbitmq", ConnectionTarget(env, "ConnectionStrings__rabbitmq"));
        Assert.Equal("redis", ConnectionTarget(env, "ConnectionStrings__redis"));
        Assert.Equal("mongodb", env["METADATA_PROVIDER"]);
        Assert.Equal((await _model.EnvironmentAsync("api"))["STORAGE_PATH"], env["STORAGE_PATH"]);
        Assert.DoesNotContain("JWT_SECRET", env.Keys);
    }

    [Fact]
    public async Task Web_receives_the_api_address_for_the_server_and_for_the_browser()
    {
        var env = await _model.EnvironmentAsync("web");

        var serverView = Assert.IsType<EndpointReference>(env["services__api__http__0"]);
        Assert.Equal(("api", "http"), (serverView.Resource.Name, serverView.EndpointName));
        var browserView = Assert.IsType<ReferenceExpression>(env["NEXT_PUBLIC_API_URL"]);
        Assert.Equal("http://localhost:{api.bindings.http.port}", browserView.ValueExpression);
        Assert.DoesNotContain(env.Keys, k => k.StartsWith("ConnectionStrings__", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("api")]
    [InlineData("worker")]
    [InlineData("web")]
    public async Task Services_get_no_environment_beyond_the_contract(string name)
    {
        // Aspire's per-property variables (REDIS_HOST, RABBITMQ_PASSWORD, API_HTTP, ...) are switched off.
        var env = await _model.EnvironmentAsync(name);
        Assert.DoesNotContain(env.Keys, k => k is "REDIS_HOST" or "REDIS_URI" or "RABBITMQ_PASSWORD" or "RABBITMQ_URI" or "API_HTTP" or "services__api__https__0");
    }

    [Fact]
    public async Task Ports_and_worker_replicas_come_from_configuration()
    {
        await using var model = await AppHostModel.BuildAsync("containers", null,
            "Ports:Api=14000", "Ports:Web=13000", "Ports:MongoDb=37017", "Ports:Redis=16479", "Ports:RabbitMq=15673",
            "Ports:RabbitMqManagement=25673", "Worker:Replicas=3");

        Assert.Equal(14000, AppHostModel.Endpoint(model.Resource("api"), "http").Port);
        Assert.Equal(13000, AppHostModel.Endpoint(model.Resource("web"), "http").Port);
        Assert.Equal(37017, AppHostModel.Endpoint(model.Resource("mongodb"), "tcp").Port);
        Assert.Equal(16479, AppHostModel.Endpoint(model.Resource("redis"), "tcp").Port);
        Assert.Equal(15673, AppHostModel.Endpoint(model.Resource("rabbitmq"), "tcp").Port);
        Assert.Equal(25673, AppHostModel.Endpoint(model.Resource("rabbitmq"), "management").Port);
        Assert.Equal(3, Assert.Single(model.Resource("worker").Annotations.OfType<ReplicaAnnotation>()).Replicas);
    }

    [Fact]
    public async Task Publishing_puts_the_file_store_in_the_container_volume_path()
    {
        await using var model = await AppHostModel.BuildForPublishingAsync("manifest");

        Assert.Equal("/app/storage", (await model.EnvironmentAsync("api"))["STORAGE_PATH"]);
        Assert.Equal("/app/storage", (await model.EnvironmentAsync("worker"))["STORAGE_PATH"]);
    }

    private static string ConnectionTarget(Dictionary<string, object> env, string name)
        => Assert.IsType<ConnectionStringReference>(env[name]).Resource.Name;
}

using AioStorage.AppHost.Infrastructure;
using AioStorage.AppHost.Infrastructure.Compose;

// AIO Storage, the whole system: three servers (MongoDB, Redis, RabbitMQ) and three services (api, worker, web).
// Containers where a container runtime answers and whenever deployment files are published; Debian's Redis and
// RabbitMQ plus an embedded SQLite metadata store where none does (Infrastructure:Mode = auto | containers | local).
var builder = DistributedApplication.CreateBuilder(args);

var settings = AppHostSettings.FromConfiguration(builder.Configuration, builder.AppHostDirectory);
var infrastructure = await InfrastructureModeSelector.DecideAsync(
    builder, settings.RequestedMode, ContainerRuntimeProbe.ForConfiguration(builder.Configuration));
var ports = settings.Ports;
var dataPath = settings.DataPath;

// Secrets are generated on first use and kept in the AppHost's user secrets: data written with them (users in
// RabbitMQ's and MongoDB's databases, issued tokens) must stay readable on the next run.
var jwtSecret = builder.AddParameter("jwt-secret", Generated(64), secret: true, persist: true);
var rabbitmqUser = builder.AddParameter("rabbitmq-username", "admin", publishValueAsDefault: true);
var rabbitmqPassword = builder.AddParameter("rabbitmq-password", Generated(32), secret: true, persist: true);

IResourceBuilder<IResourceWithConnectionString> redis;
IResourceBuilder<IResourceWithConnectionString> rabbitmq;
MetadataStore metadata;

if (infrastructure.UsesContainers)
{
    var mongoUser = builder.AddParameter("mongo-username", "admin", publishValueAsDefault: true);
    var mongoPassword = builder.AddParameter("mongo-password", Generated(32), secret: true, persist: true);
    var mongodb = builder.AddMongoDb("mongodb", mongoUser, mongoPassword, databaseName: "aio_storage", ports.MongoDb)
        .WithImage("mongo", "8.0")
        .WithDataVolume("mongodb_data")
        .WithConfigVolume("mongodb_config")
        .PublishAsComposeService(
            healthCheck: "echo 'db.runCommand(\"ping\").ok' | mongosh localhost:27017/test --quiet",
            connectionVariable: "MONGODB_URI");
    metadata = MetadataStore.InMongoDb(mongodb);

    // Without a password, as the seed's Redis and its REDIS_URL=redis://redis:6379 have it: a generated one would
    // exist only in the app model, and the compose file (and every operator's redis-cli) would disagree with it.
    redis = builder.AddRedis("redis", ports.Redis)
        .WithImage("redis", "7-alpine")
        .WithPassword(null)
        .WithDataVolume("redis_data")
        .WithAppendOnlyFile()
        .PublishAsComposeService(healthCheck: "redis-cli ping", connectionVariable: "REDIS_URL",
            note: "No password, as documented (REDIS_URL=redis://redis:6379): keep port 6379 closed to other hosts.");

    rabbitmq = builder.AddRabbitMQ("rabbitmq", rabbitmqUser, rabbitmqPassword, ports.RabbitMq)
        .WithImageTag("3-management-alpine")
        .WithManagementPlugin(ports.RabbitMqManagement)
        .WithDataVolume("rabbitmq_data")
        .PublishAsComposeService(healthCheck: "rabbitmq-diagnostics -q ping", connectionVariable: "RABBITMQ_URL");
}
else
{
    // No mongod can run here: api and worker keep metadata in SQLite, beside the other local state.
    metadata = MetadataStore.InSqlite(Path.Combine(dataPath, "metadata", "aio-storage.db"));
    redis = builder.AddLocalRedis("redis", Path.Combine(dataPath, "redis"), ports.Redis);
    rabbitmq = builder.AddLocalRabbitMq("rabbitmq", Path.Combine(dataPath, "rabbitmq"), rabbitmqUser, rabbitmqPassword,
        new LocalRabbitMqPorts(ports.RabbitMq, ports.RabbitMqManagement, ports.RabbitMqDistribution, ports.Epmd));
}

// Blobs live in one folder that api and worker share (the file_storage volume in the compose deployment).
var fileStorage = Path.Combine(dataPath, "file_storage");

var api = builder.AddProject<Projects.AioStorage_Api>("api")
    .WithHttpPort(ports.Api)
    .WithExternalHttpEndpoints()
    .WithContractEnvironment()
    .WithMetadataStore(metadata)
    .WithReference(redis).WaitFor(redis)
    .WithReference(rabbitmq).WaitFor(rabbitmq)
    .WithFileStorage(fileStorage)
    .WithEnvironment("JWT_SECRET", jwtSecret)
    .WithEnvironment("JWT_EXPIRES_IN", "7d")
    .WithEnvironment("MAX_FILE_SIZE", "104857600")
    // A 16 MiB gen0 budget (not one sized from the CPU cache) keeps the api's memory flat while it streams (README, Benchmark).
    .WithEnvironment("DOTNET_GCgen0size", "0x1000000")
    .WithHttpHealthCheck("/health")
    .PublishAsComposeService(healthCheck: "curl -fsS http://localhost:4000/api/v1/health");
var apiHttp = api.GetEndpoint("http");
api.WithEnvironment("API_PORT", apiHttp.Property(EndpointProperty.TargetPort));

// The worker's endpoint serves /health only; it is never exposed.
builder.AddProject<Projects.AioStorage_Worker>("worker")
    .WithEndpoint("http", endpoint => endpoint.Port = ports.Worker)
    .WithReplicas(settings.WorkerReplicas)
    .WithContractEnvironment()
    .WithMetadataStore(metadata)
    .WithReference(rabbitmq).WaitFor(rabbitmq)
    .WithReference(redis).WaitFor(redis)
    .WithFileStorage(fileStorage)
    .WithHttpHealthCheck("/health");

builder.AddProject<Projects.AioStorage_Web>("web")
    .WithHttpPort(ports.Web)
    .WithExternalHttpEndpoints()
    .WithContractEnvironment()
    // The http endpoint only: it injects services__api__http__0, and no https address that nothing serves.
    .WithReference(apiHttp).WaitFor(api)
    // The browser's view of the api: its published port on this host (services__api__http__0 is the server's view).
    .WithEnvironment("NEXT_PUBLIC_API_URL", ReferenceExpression.Create($"http://localhost:{apiHttp.Property(EndpointProperty.Port)}"))
    .WithHttpHealthCheck("/health");

var app = builder.Build();

if (ComposeFileGenerator.IsRequested(builder.ExecutionContext))
{
    await ComposeFileGenerator.WriteAsync(app.Services);
    return;
}

await app.RunAsync();

static GenerateParameterDefault Generated(int length) => new() { MinLength = length, Special = false };

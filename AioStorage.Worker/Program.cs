using AioStorage.Core.Messaging;
using AioStorage.Core.Messaging.Contracts;
using AioStorage.Worker.Handlers;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddAioRabbitMq();
builder.AddAioRedis();
builder.AddAioMetadata();
builder.AddAioStorage();

builder.AddAioMessaging()
    .AddConsumer<WorkerPing, WorkerPingHandler>(QueueNames.WorkerPing);

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();

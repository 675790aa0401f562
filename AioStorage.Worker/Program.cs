using AioStorage.Core.Messaging;
using AioStorage.Core.Messaging.Contracts;
using AioStorage.Worker.Archives;
using AioStorage.Worker.Handlers;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddAioRabbitMq();
builder.AddAioRedis();
builder.AddAioMetadata();
builder.AddAioStorage();
builder.AddAioArchiveProcessing();

builder.AddAioMessaging()
    .AddConsumer<WorkerPing, WorkerPingHandler>(QueueNames.WorkerPing)
    .AddConsumer<ArchiveRequested, ArchiveRequestedHandler>(QueueNames.FileDownload);

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();

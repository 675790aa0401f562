using AioStorage.Core.Messaging;
using AioStorage.Core.Messaging.Contracts;
using AioStorage.Worker.Archives;
using AioStorage.Worker.Handlers;
using AioStorage.Worker.Processing;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddAioRabbitMq();
builder.AddAioRedis();
builder.AddAioMetadata();
builder.AddAioStorage();
builder.Services.AddMediaProcessing(builder.Configuration);
builder.AddAioArchiveProcessing();

var media = builder.Configuration.ReadMediaWorkerOptions();
builder.AddAioMessaging()
    .AddConsumer<WorkerPing, WorkerPingHandler>(QueueNames.WorkerPing)
    .AddConsumer<FileUploaded, FileUploadedHandler>(QueueNames.FileUpload, media.ConfigureUploadConsumer)
    .AddConsumer<VideoTranscodeRequested, VideoTranscodeHandler>(QueueNames.VideoTranscode, media.ConfigureTranscodeConsumer)
    .AddConsumer<ArchiveRequested, ArchiveRequestedHandler>(QueueNames.FileDownload);

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();

using AioStorage.Api;
using AioStorage.Api.Endpoints;
using Scalar.AspNetCore;

var builder = WebApplication.CreateBuilder(args);

builder.UseSeedApiPort();
builder.AddServiceDefaults();
builder.AddAioStorage();
builder.AddAioMetadata();
builder.AddAioRedis();
builder.AddAioRabbitMq();

builder.Services.AddProblemDetails();
builder.Services.AddOpenApi("v1", options => options.AddDocumentTransformer((document, _, _) =>
{
    document.Info.Title = "AIO Storage API";
    document.Info.Description = "Files, folders, transfers, sharing and media of AIO Storage. All routes are under /api/v1.";
    return Task.CompletedTask;
}));
builder.Services.AddWebOriginCors(builder.Configuration);

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseCors();

app.MapOpenApi("/api/v1/openapi.json");
app.MapScalarApiReference("/api/v1/docs", options => options
    .WithTitle("AIO Storage API")
    .WithOpenApiRoutePattern("/api/v1/openapi.json"));

var api = app.MapGroup("/api/v1");
api.MapHealthEndpoints();

app.MapDefaultEndpoints();
app.Run();

using AioStorage.Api;
using AioStorage.Api.Endpoints;
using Scalar.AspNetCore;

var builder = WebApplication.CreateBuilder(args);

builder.UseSeedApiPort();
builder.UseLargeTransportBlocks();
builder.AddServiceDefaults();
builder.AddAioStorage();
builder.AddAioMetadata();
builder.AddAioRedis();
builder.AddAioRabbitMq();
builder.AddAioMessaging();
builder.AddAioAccounts();
builder.AddAioFiles();
builder.AddAioResumableUploads();
builder.AddAioArchives();
builder.AddAioRateLimiting();

builder.Services.AddProblemDetails();
builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
// Unreadable bodies (malformed JSON) reach the exception handler and become 400 problems with the parser's reason.
builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
builder.Services.AddOpenApi("v1", options => options.AddDocumentTransformer<AioOpenApiDocumentTransformer>());
builder.Services.AddWebOriginCors(builder.Configuration);
builder.Services.AddTrustedProxies(builder.Configuration);

var app = builder.Build();

app.UseForwardedHeaders();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseCors();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();

app.MapOpenApi("/api/v1/openapi.json").AllowAnonymous();
app.MapScalarApiReference("/api/v1/docs", options => options
    .WithTitle("AIO Storage API")
    .WithOpenApiRoutePattern("/api/v1/openapi.json")
    .AddPreferredSecuritySchemes(AioOpenApiDocumentTransformer.BearerScheme)).AllowAnonymous();

var api = app.MapGroup("/api/v1");
api.MapHealthEndpoints();
api.MapAuthEndpoints();
api.MapFolderEndpoints();
api.MapFileEndpoints();
api.MapMediaEndpoints();
api.MapUploadEndpoints();
api.MapArchiveEndpoints();
api.MapTrashEndpoints();
api.MapAuditEndpoints();
api.MapSystemEndpoints();

app.MapDefaultEndpoints();
app.Run();

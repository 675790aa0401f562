using AioStorage.Web.Api;
using AioStorage.Web.Archives;
using AioStorage.Web.Auth;
using AioStorage.Web.Components;
using AioStorage.Web.Components.Shared;
using AioStorage.Web.Uploads;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddAioStorageApi();

builder.Services.AddRazorComponents()
    .AddInteractiveServerComponents();
builder.Services.AddScoped<UserSession>();
builder.Services.AddScoped<SignedInApi>();
builder.Services.AddScoped<Toasts>();
builder.Services.AddScoped<LocalTime>();
builder.Services.AddSingleton(UploadOptions.From(builder.Configuration));
builder.Services.AddScoped<UploadQueue>();
builder.Services.AddScoped<ArchiveQueue>();

var app = builder.Build();

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/error", createScopeForErrors: true);
}

app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
app.UseAntiforgery();

app.MapStaticAssets();
app.MapRazorComponents<App>()
    .AddInteractiveServerRenderMode();
app.MapDefaultEndpoints();

app.Run();

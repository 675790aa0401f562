using System.Diagnostics;
using System.Net;
using AioStorage.Web.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AioStorage.Tests.Web;

/// <summary>The typed client as the web registers it (service discovery, handlers), against real HTTP answers.</summary>
public sealed class ApiClientTests : IAsyncLifetime
{
    private ApiStandIn api = default!;
    private WebUnderTest web = default!;

    public async Task InitializeAsync()
    {
        api = await ApiStandIn.StartAsync();
        web = WebUnderTest.Start(api.Address);
    }

    public async Task DisposeAsync()
    {
        await web.DisposeAsync();
        await api.DisposeAsync();
    }

    private AioStorageApiClient Client => web.Services.GetRequiredService<AioStorageApiClient>();

    [Fact]
    public async Task Health_reads_a_503_report_at_once_instead_of_retrying_it()
    {
        api.Health = HealthAnswer.RabbitMqDown;
        var stopwatch = Stopwatch.StartNew();

        var result = await Client.GetHealthAsync();

        Assert.Equal(503, result.HttpStatus);
        Assert.Equal(HealthState.Unhealthy, HealthStates.Parse(result.Report.Status));
        Assert.Equal(["metadata", "redis", "rabbitmq", "storage"], result.Report.Checks.Keys);
        Assert.Equal("rabbitmq: connection refused (localhost:5672)", result.Report.Checks["rabbitmq"].Description);
        Assert.Equal(5001, result.Report.Checks["rabbitmq"].DurationMs);
        Assert.Equal(1, api.Count("GET /api/v1/health"));
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2), $"took {stopwatch.Elapsed}");
    }

    [Fact]
    public async Task A_problem_answer_becomes_a_typed_error_with_title_detail_status_and_field_errors()
    {
        await using var validating = await StartValidatingApiAsync();
        await using var otherWeb = WebUnderTest.Start(validating.Address);
        var client = otherWeb.Services.GetRequiredService<AioStorageApiClient>();

        var error = await Assert.ThrowsAsync<ApiProblemException>(() => client.RegisterAsync(new RegisterRequest("a", "x", "y")));

        Assert.Equal(400, error.Status);
        Assert.Equal("One or more validation errors occurred.", error.Problem.Title);
        Assert.Equal("The account could not be created.", error.Problem.Detail);
        Assert.Equal(["A username is 3 to 50 characters long."], error.Problem.Errors["username"]);
        Assert.Equal(["Enter a valid email address."], error.Problem.Errors["Email"]);
    }

    [Fact]
    public async Task An_error_without_a_problem_body_still_carries_its_status()
    {
        api.AccountsAvailable = false;

        var error = await Assert.ThrowsAsync<ApiProblemException>(() => Client.LoginAsync(new LoginRequest("ada@example.com", "secret")));

        Assert.Equal(404, error.Status);
        Assert.Null(error.Problem.Detail);
    }

    [Fact]
    public async Task A_stopped_api_is_reported_as_unreachable_with_the_address_tried()
    {
        await api.StopAsync();

        var error = await Assert.ThrowsAsync<ApiUnreachableException>(() => Client.GetHealthAsync());

        Assert.Equal(api.Address, error.Address);
        Assert.Equal("connection refused", error.Reason);
    }

    private sealed class ValidatingApi(WebApplication app) : IAsyncDisposable
    {
        public Uri Address => new(app.Urls.Single());

        public async ValueTask DisposeAsync() => await app.DisposeAsync();
    }

    private static async Task<ValidatingApi> StartValidatingApiAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.MapPost("/api/v1/auth/register", () => Results.ValidationProblem(
            new Dictionary<string, string[]>
            {
                ["username"] = ["A username is 3 to 50 characters long."],
                ["email"] = ["Enter a valid email address."],
            },
            detail: "The account could not be created."));
        await app.StartAsync();
        return new ValidatingApi(app);
    }
}

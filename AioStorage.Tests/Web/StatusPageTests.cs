using AioStorage.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AioStorage.Tests.Web;

[Collection(BrowserCollection.Name)]
public sealed class StatusPageTests(BrowserFixture browser) : IAsyncLifetime
{
    private ApiStandIn api = default!;
    private WebUnderTest web = default!;
    private IPage page = default!;

    public async Task InitializeAsync()
    {
        api = await ApiStandIn.StartAsync();
        web = WebUnderTest.Start(api.Address);
        page = await browser.NewPageAsync(web.Address);
    }

    public async Task DisposeAsync()
    {
        await page.Context.CloseAsync();
        await web.DisposeAsync();
        await api.DisposeAsync();
    }

    private ILocator Overall => page.GetByTestId("overall");

    private ILocator Card(string check) => page.Locator($"[data-check='{check}']");

    [Fact]
    public async Task Shows_every_dependency_with_its_state_description_and_latency()
    {
        await page.GotoAsync("status");

        await Expect(Overall.GetByRole(AriaRole.Heading)).ToHaveTextAsync("All systems operational");
        await Expect(Overall.Locator("[data-fact='http-status']")).ToHaveTextAsync("200");
        await Expect(Overall.Locator("[data-fact='overall-status']")).ToHaveTextAsync("Healthy");
        await Expect(Overall.Locator("[data-fact='checked-at']")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d\d:\d\d:\d\d UTC$"));

        await Expect(page.Locator("[data-check]")).ToHaveCountAsync(4);
        foreach (var (name, _, description, _) in HealthAnswer.AllHealthy.Checks)
        {
            await Expect(Card(name)).ToHaveAttributeAsync("data-state", "healthy");
            await Expect(Card(name).Locator(".pill")).ToHaveTextAsync("Healthy");
            await Expect(Card(name)).ToContainTextAsync(description);
        }

        await Expect(Card("metadata")).ToContainTextAsync("Metadata database");
        await Expect(Card("rabbitmq")).ToContainTextAsync("RabbitMQ");
        await Expect(Card("metadata")).ToContainTextAsync("3.2 ms");
        await Expect(Card("rabbitmq")).ToContainTextAsync("2.7 ms");
        await Expect(page.Locator("[data-fact='server-address']")).ToHaveTextAsync(api.Address.ToString());
        await Screenshots.TakeAsync(page, "status-healthy");
    }

    [Fact]
    public async Task Shows_a_503_as_a_disruption_that_names_the_failing_dependency()
    {
        api.Health = HealthAnswer.RabbitMqDown;

        await page.GotoAsync("status");

        await Expect(Overall.GetByRole(AriaRole.Heading)).ToHaveTextAsync("Service disruption");
        await Expect(Overall).ToContainTextAsync("RabbitMQ is unhealthy.");
        await Expect(Overall).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("overall-unhealthy"));
        await Expect(Overall.Locator("[data-fact='http-status']")).ToHaveTextAsync("503");
        await Expect(Card("rabbitmq")).ToHaveAttributeAsync("data-state", "unhealthy");
        await Expect(Card("rabbitmq").Locator(".pill")).ToHaveTextAsync("Unhealthy");
        await Expect(Card("rabbitmq")).ToContainTextAsync("rabbitmq: connection refused (localhost:5672)");
        await Expect(Card("rabbitmq")).ToContainTextAsync("5.0 s");
        foreach (var healthy in new[] { "metadata", "redis", "storage" })
        {
            await Expect(Card(healthy)).ToHaveAttributeAsync("data-state", "healthy");
        }

        await Screenshots.TakeAsync(page, "status-unhealthy");
    }

    [Fact]
    public async Task Follows_the_api_by_itself_and_on_the_refresh_button()
    {
        await page.GotoAsync("status");
        await Expect(Overall.GetByRole(AriaRole.Heading)).ToHaveTextAsync("All systems operational");

        api.Health = HealthAnswer.RabbitMqDown;
        await Expect(Overall.GetByRole(AriaRole.Heading)).ToHaveTextAsync("Service disruption", new() { Timeout = 12_000 });

        await page.GetByRole(AriaRole.Switch, new() { Name = "Auto-refresh" }).UncheckAsync();
        api.Health = HealthAnswer.AllHealthy;
        var healthRequests = api.Count("GET /api/v1/health");
        await page.GetByRole(AriaRole.Button, new() { Name = "Refresh" }).ClickAsync();
        await Expect(Overall.GetByRole(AriaRole.Heading)).ToHaveTextAsync("All systems operational");
        Assert.Equal(healthRequests + 1, api.Count("GET /api/v1/health"));
    }

    [Fact]
    public async Task Says_the_api_is_unreachable_and_which_address_was_tried()
    {
        await page.GotoAsync("status");
        await Expect(Overall.GetByRole(AriaRole.Heading)).ToHaveTextAsync("All systems operational");

        await api.StopAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Refresh" }).ClickAsync();

        await Expect(Overall.GetByRole(AriaRole.Heading)).ToHaveTextAsync("API unreachable");
        await Expect(Overall).ToContainTextAsync(api.Address.ToString());
        await Expect(Overall).ToContainTextAsync("connection refused");
        await Expect(page.Locator("[data-check]")).ToHaveCountAsync(0);

        await page.ReloadAsync();
        await Expect(Overall.GetByRole(AriaRole.Heading)).ToHaveTextAsync("API unreachable");
        await Screenshots.TakeAsync(page, "status-unreachable");
    }

    [Fact]
    public async Task Worker_round_trip_shows_which_worker_answered_and_how_fast()
    {
        await page.GotoAsync("status");
        var panel = page.Locator("[data-panel='worker-ping']");

        await panel.GetByRole(AriaRole.Button, new() { Name = "Send ping" }).ClickAsync();

        await Expect(panel.Locator("[data-fact='worker']")).ToHaveTextAsync(ApiStandIn.WorkerName);
        await Expect(panel.Locator("[data-fact='round-trip']")).ToHaveTextAsync("42 ms");
        Assert.Equal(1, api.Count("POST /api/v1/system/ping"));
        Assert.Equal(2, api.Count("GET /api/v1/system/ping/ping-1"));
        await Screenshots.TakeAsync(page, "status-worker-ping");
    }
}

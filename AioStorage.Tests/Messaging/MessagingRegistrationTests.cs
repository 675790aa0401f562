using AioStorage.Core.Messaging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AioStorage.Tests.Messaging;

public sealed class MessagingRegistrationTests
{
    [Fact]
    public void Options_bind_from_the_messaging_section()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Messaging:MaxAttempts"] = "7",
            ["Messaging:RetryInitialDelay"] = "00:00:00.250",
            ["Messaging:Prefetch"] = "16",
            ["Messaging:Concurrency"] = "4",
        });
        builder.AddAioMessaging();
        using var services = builder.Services.BuildServiceProvider();

        var options = services.GetRequiredService<IOptions<MessagingOptions>>().Value;
        Assert.Equal(7, options.MaxAttempts);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.RetryInitialDelay);
        Assert.Equal(16, options.Prefetch);
        Assert.Equal(4, options.Concurrency);
        Assert.Equal(6, services.GetRequiredService<MessagingTopology>()[QueueNames.FileUpload].RetryLevels.Count);
    }

    [Theory]
    [InlineData("Messaging:MaxAttempts", "0", "MaxAttempts")]
    [InlineData("Messaging:Prefetch", "1", "Prefetch")]
    [InlineData("Messaging:RetryMaxDelay", "00:00:01", "RetryMaxDelay")]
    public async Task Invalid_options_stop_the_host_at_start_up(string key, string value, string member)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [key] = value });
        builder.AddAioMessaging();
        using var host = builder.Build();

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains(member, failure.Message);
    }

    [Fact]
    public void A_consumer_for_a_queue_outside_the_topology_is_refused()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        var messaging = builder.AddAioMessaging();

        Assert.Throws<ArgumentException>(() => messaging.AddConsumer<TestMessage, ProbeHandler>("file.upload.dlq"));
    }
}

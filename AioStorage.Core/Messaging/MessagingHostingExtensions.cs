using System.Diagnostics.Metrics;
using AioStorage.Core.Messaging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

public static class MessagingHostingExtensions
{
    /// <summary>
    /// The messaging layer: <see cref="MessagingOptions"/> from the <c>Messaging</c> section, the topology (declared in the
    /// background at start-up) and <see cref="IMessagePublisher"/>. Needs a RabbitMQ.Client <c>IConnection</c> in the
    /// container (<c>builder.AddAioRabbitMq()</c>). Consumers are added on the returned builder.
    /// </summary>
    public static MessagingBuilder AddAioMessaging(this IHostApplicationBuilder builder, Action<MessagingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptions<MessagingOptions>()
            .Bind(builder.Configuration.GetSection(MessagingOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new MessagingMetrics(sp.GetService<IMeterFactory>()));
        services.TryAddSingleton(sp => new MessagingTopology(sp.GetRequiredService<IOptions<MessagingOptions>>().Value));
        services.TryAddSingleton<RabbitMqConnectionAccessor>();
        services.TryAddSingleton<MessagingTopologyInitializer>();
        services.TryAddSingleton<RabbitMqMessagePublisher>();
        services.TryAddSingleton<IMessagePublisher>(sp => sp.GetRequiredService<RabbitMqMessagePublisher>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, MessagingTopologyStartup>());
        return new MessagingBuilder(services);
    }
}

/// <summary>Adds consumers after <see cref="MessagingHostingExtensions.AddAioMessaging"/>.</summary>
public sealed class MessagingBuilder
{
    internal MessagingBuilder(IServiceCollection services) => Services = services;

    public IServiceCollection Services { get; }

    /// <summary>
    /// Consumes <paramref name="queue"/> (one of <see cref="QueueNames"/>) with <typeparamref name="THandler"/>, resolved
    /// in a new scope per message. <paramref name="configure"/> overrides prefetch and concurrency for this consumer.
    /// </summary>
    public MessagingBuilder AddConsumer<TMessage, THandler>(string queue, Action<ConsumerOptions>? configure = null)
        where TMessage : notnull
        where THandler : class, IMessageHandler<TMessage>
    {
        if (!QueueNames.All.Contains(queue))
        {
            throw new ArgumentException($"'{queue}' is not one of the declared queues ({string.Join(", ", QueueNames.All)}).", nameof(queue));
        }

        var consumerOptions = new ConsumerOptions();
        configure?.Invoke(consumerOptions);
        Services.TryAddScoped<THandler>();
        Services.AddSingleton<IHostedService>(sp => ActivatorUtilities.CreateInstance<MessageConsumerHost<TMessage, THandler>>(sp, queue, consumerOptions));
        return this;
    }
}

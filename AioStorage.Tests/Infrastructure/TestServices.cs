namespace AioStorage.Tests.Infrastructure;

/// <summary>
/// The Redis and RabbitMQ that <c>scripts/test.sh</c> starts for the suite. A test that needs them fails with
/// instructions when they are missing: a silent skip would pass a run that tested nothing.
/// </summary>
public static class TestServices
{
    public static string Redis => Required("AIO_TEST_REDIS");

    public static string RabbitMqUrl => Required("AIO_TEST_RABBITMQ_URL");

    public static string RabbitMqManagementUrl => Required("AIO_TEST_RABBITMQ_MGMT_URL");

    private static string Required(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
        ? value
        : throw new InvalidOperationException(
            $"{name} is not set. Run the suite with scripts/test.sh, or start the services with " +
            "`eval \"$(scripts/test-services-start.sh /tmp/aio-svc)\"` before `dotnet test`.");
}

using System.Net.Sockets;
using System.Runtime.Versioning;
using AioStorage.AppHost.Infrastructure;
using Aspire.Hosting.ApplicationModel;

namespace AioStorage.Tests.AppHost;

/// <summary>The files local mode writes for RabbitMQ right before it starts.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class LocalRabbitMqFilesTests : IDisposable
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("aio-rabbitmq-files-").FullName;
    private readonly LocalRabbitMqResource _resource;

    public LocalRabbitMqFilesTests()
    {
        _resource = new LocalRabbitMqResource("rabbitmq", _dataDirectory,
            new ParameterResource("rabbitmq-username", _ => "admin"),
            new ParameterResource("rabbitmq-password", _ => "S3cretPassw0rd", secret: true));
        _resource.Annotations.Add(new EndpointAnnotation(ProtocolType.Tcp, uriScheme: "http",
            name: LocalRabbitMqResource.ManagementEndpointName, port: 25999, targetPort: 25999, isProxied: false));
    }

    public void Dispose() => Directory.Delete(_dataDirectory, recursive: true);

    [Fact]
    public async Task Config_creates_the_admin_user_on_first_boot_and_moves_the_management_ui_to_its_port()
    {
        await LocalRabbitMqFiles.WriteAsync(_resource, default);

        var config = File.ReadAllLines(_resource.ConfigFile);
        Assert.Equal(
        [
            "management.tcp.ip = 127.0.0.1",
            "management.tcp.port = 25999",
            "default_user = admin",
            "default_pass = S3cretPassw0rd",
            "default_user_tags.administrator = true",
            "default_permissions.configure = .*",
            "default_permissions.read = .*",
            "default_permissions.write = .*",
        ], config);
    }

    [Fact]
    public async Task Config_holding_the_password_is_readable_by_its_owner_only_even_when_it_replaces_an_open_file()
    {
        await File.WriteAllTextAsync(_resource.ConfigFile, "old");
        File.SetUnixFileMode(_resource.ConfigFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        await LocalRabbitMqFiles.WriteAsync(_resource, default);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_resource.ConfigFile));
        Assert.Empty(Directory.GetFiles(_dataDirectory, "*.tmp"));
    }

    [Fact]
    public async Task Management_plugin_is_enabled_and_the_system_env_file_is_shadowed()
    {
        await LocalRabbitMqFiles.WriteAsync(_resource, default);

        Assert.Equal("[rabbitmq_management].\n", await File.ReadAllTextAsync(Path.Combine(_dataDirectory, "enabled_plugins")));
        Assert.Equal("", await File.ReadAllTextAsync(Path.Combine(_dataDirectory, "rabbitmq-env.conf")));
        foreach (var folder in new[] { "mnesia", "log", "plugins-expand" })
        {
            Assert.True(Directory.Exists(Path.Combine(_dataDirectory, folder)), $"{folder} was not created");
        }
    }

    [Fact]
    public async Task A_password_with_a_line_break_is_refused_rather_than_written_into_the_config()
    {
        var resource = new LocalRabbitMqResource("rabbitmq", _dataDirectory,
            new ParameterResource("rabbitmq-username", _ => "admin"),
            new ParameterResource("rabbitmq-password", _ => "pass\nloopback_users = none", secret: true));

        await Assert.ThrowsAsync<InvalidOperationException>(() => LocalRabbitMqFiles.WriteAsync(resource, default));
        Assert.False(File.Exists(resource.ConfigFile));
    }
}

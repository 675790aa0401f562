using AioStorage.Core.Archives;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AioStorage.Tests.Archives;

/// <summary>The <c>Archives</c> section as an operator sets it (<c>Archives__ExpiresIn</c> and friends).</summary>
public sealed class ArchiveOptionsTests
{
    [Fact]
    public void Defaults_are_a_day_to_download_a_week_to_remember_and_a_look_every_five_minutes()
    {
        var options = Bind([]);

        Assert.Equal(TimeSpan.FromHours(24), options.ExpiresIn);
        Assert.Equal(TimeSpan.FromDays(7), options.RecordRetention);
        Assert.Equal(TimeSpan.FromMinutes(5), options.CleanupInterval);
    }

    [Fact]
    public void Values_are_read_as_time_spans()
    {
        var options = Bind(new() { ["Archives:ExpiresIn"] = "2.00:00:00", ["Archives:RecordRetention"] = "00:00:00", ["Archives:CleanupInterval"] = "00:00:30" });

        Assert.Equal(TimeSpan.FromDays(2), options.ExpiresIn);
        Assert.Equal(TimeSpan.Zero, options.RecordRetention);
        Assert.Equal(TimeSpan.FromSeconds(30), options.CleanupInterval);
    }

    [Theory]
    [InlineData("Archives:ExpiresIn", "00:00:10", "ExpiresIn")]
    [InlineData("Archives:ExpiresIn", "31.00:00:00", "ExpiresIn")]
    [InlineData("Archives:RecordRetention", "-00:00:01", "RecordRetention")]
    [InlineData("Archives:CleanupInterval", "00:00:00", "CleanupInterval")]
    [InlineData("Archives:CleanupInterval", "1.00:00:01", "CleanupInterval")]
    public void Values_out_of_range_stop_the_process_naming_the_setting(string key, string value, string setting)
    {
        var refused = Assert.Throws<OptionsValidationException>(() => Bind(new() { [key] = value }));

        Assert.Contains(setting, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cleanup_interval_longer_than_the_expiry_is_refused()
    {
        var refused = Assert.Throws<OptionsValidationException>(() =>
            Bind(new() { ["Archives:ExpiresIn"] = "00:10:00", ["Archives:CleanupInterval"] = "00:30:00" }));

        Assert.Contains("Archives:CleanupInterval", refused.Message, StringComparison.Ordinal);
    }

    private static ArchiveOptions Bind(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var services = new ServiceCollection().AddArchiveOptions(configuration).BuildServiceProvider();
        return services.GetRequiredService<IOptions<ArchiveOptions>>().Value;
    }
}

using AioStorage.Core.Accounts;
using AioStorage.Core.Metadata;
using Microsoft.Extensions.Configuration;

namespace AioStorage.Tests.Unit;

public class AccountPrimitivesTests
{
    [Fact]
    public void Passwords_are_salted_slow_hashes_that_verify()
    {
        var hasher = new PasswordHasher(iterations: 2000);
        var first = hasher.Hash("correct horse battery");
        var second = hasher.Hash("correct horse battery");

        Assert.NotEqual(first, second);
        Assert.StartsWith("$pbkdf2-sha256$2000$", first);
        Assert.DoesNotContain("correct horse", first);
        Assert.True(hasher.Verify("correct horse battery", first));
        Assert.False(hasher.Verify("correct horse batterY", first));
        Assert.False(hasher.Verify("anything", "$md5$1$x$y"));
        Assert.False(hasher.Verify("anything", "$pbkdf2-sha256$1000$not base64!$x"));
        Assert.False(hasher.Verify("anything", hasher.DummyHash));
        Assert.True(new PasswordHasher(4000).NeedsRehash(first));
        Assert.False(hasher.NeedsRehash(first));
        Assert.Equal(600_000, PasswordHasher.DefaultIterations);
    }

    [Theory]
    [InlineData(null, 7 * 24 * 3600)]
    [InlineData("7d", 7 * 24 * 3600)]
    [InlineData("12h", 12 * 3600)]
    [InlineData("30m", 30 * 60)]
    [InlineData("45s", 45)]
    [InlineData("3600", 3600)]
    public void Token_lifetimes_read_the_seed_format(string? value, int seconds)
        => Assert.Equal(TimeSpan.FromSeconds(seconds), JwtOptions.ParseLifetime(value));

    [Theory]
    [InlineData("seven days")]
    [InlineData("-1h")]
    [InlineData("0")]
    [InlineData("5y")]
    public void Malformed_lifetimes_stop_the_start(string value)
        => Assert.Throws<InvalidOperationException>(() => JwtOptions.ParseLifetime(value));

    [Fact]
    public void Production_needs_a_strong_secret_development_makes_one_up()
    {
        static IConfiguration Config(string? secret) => new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["JWT_SECRET"] = secret }).Build();

        Assert.Throws<InvalidOperationException>(() => JwtOptions.From(Config(null), isProduction: true));
        Assert.Throws<InvalidOperationException>(() => JwtOptions.From(Config("your-super-secret-jwt-key"), isProduction: true));
        Assert.Throws<InvalidOperationException>(() => JwtOptions.From(Config("too-short"), isProduction: true));
        Assert.Throws<InvalidOperationException>(() => JwtOptions.From(Config(new string('a', 64)), isProduction: true));
        var strong = JwtOptions.From(Config("kJ8v2QeXz7LmN4pR9sT1uW3yA6bC0dF5gH8jK2lM4nP7"), isProduction: true);
        Assert.False(strong.SecretWasGenerated);

        var generated = JwtOptions.From(Config(null), isProduction: false);
        Assert.True(generated.SecretWasGenerated);
        Assert.Equal(64, generated.SigningKey.Length);
    }

    [Theory]
    [InlineData("Report.pdf", "REPORT.PDF")]
    [InlineData("e\u0301te\u0301", "ÉTÉ")]
    public void Name_keys_ignore_case_and_normalization(string name, string key)
        => Assert.Equal(key, NodeNames.Key(name));
}

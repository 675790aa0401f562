using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace AioStorage.Tests.Api;

public class AccountTests : IAsyncLifetime
{
    private readonly ApiFactory api = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await api.DisposeAsync();

    [Fact]
    public async Task Sign_up_sign_in_me_and_logout_work_end_to_end()
    {
        var client = api.CreateClient();
        using var registered = await client.PostAsJsonAsync("/api/v1/auth/register",
            new { username = "ada_lovelace", email = "Ada@Example.test", password = "analytical engine" });
        var signup = await registered.JsonAsync(HttpStatusCode.Created);
        var user = signup.GetProperty("user");
        Assert.Equal("ada_lovelace", user.GetProperty("username").GetString());
        Assert.Equal(0, user.GetProperty("storageUsed").GetInt64());
        Assert.Equal(10L * 1024 * 1024 * 1024, user.GetProperty("storageQuota").GetInt64());
        Assert.False(user.TryGetProperty("passwordHash", out _));
        var expiresAt = signup.GetProperty("expiresAt").GetDateTimeOffset();
        Assert.InRange(expiresAt - api.Time.GetUtcNow(), TimeSpan.FromDays(7) - TimeSpan.FromMinutes(1), TimeSpan.FromDays(7));

        using var login = await client.PostAsJsonAsync("/api/v1/auth/login", new { email = "ada@example.test", password = "analytical engine" });
        var token = (await login.JsonAsync(HttpStatusCode.OK)).GetProperty("token").GetString()!;

        var me = await (await client.As(token).GetAsync("/api/v1/auth/me")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(user.GetProperty("id").GetString(), me.GetProperty("id").GetString());
        foreach (var field in new[] { "id", "username", "email", "storageUsed", "storageQuota", "createdAt", "updatedAt" })
        {
            Assert.True(me.TryGetProperty(field, out _), field);
        }

        using var logout = await client.PostAsync("/api/v1/auth/logout", null);
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        await (await client.GetAsync("/api/v1/auth/me")).ProblemAsync(HttpStatusCode.Unauthorized);

        // The sign-up token is another session: still valid.
        await (await api.CreateClient().As(signup.GetProperty("token").GetString()!).GetAsync("/api/v1/auth/me")).JsonAsync(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("ab", "ab@example.test", "long enough", "username")]
    [InlineData("has space", "s@example.test", "long enough", "username")]
    [InlineData("slash/name", "s@example.test", "long enough", "username")]
    [InlineData("a123456789a123456789a123456789a123456789a123456789x", "l@example.test", "long enough", "username")]
    [InlineData("valid_name", "not-an-email", "long enough", "email")]
    [InlineData("valid_name", "", "long enough", "email")]
    [InlineData("valid_name", "v@example.test", "short", "password")]
    [InlineData("valid_name", "v@example.test", "", "password")]
    public async Task Invalid_sign_ups_are_refused_with_the_field(string username, string email, string password, string field)
    {
        using var response = await api.CreateClient().PostAsJsonAsync("/api/v1/auth/register", new { username, email, password });
        var problem = await response.ProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task Taken_email_or_username_is_a_conflict_whatever_the_case()
    {
        var client = api.CreateClient();
        var first = await client.RegisterAsync();

        using var sameEmail = await client.PostAsJsonAsync("/api/v1/auth/register",
            new { username = "someone_else", email = first.Email.ToUpperInvariant(), password = "long enough" });
        Assert.Equal("email", (await sameEmail.ProblemAsync(HttpStatusCode.Conflict)).GetProperty("field").GetString());

        using var sameName = await client.PostAsJsonAsync("/api/v1/auth/register",
            new { username = first.Username.ToUpperInvariant(), email = "other@example.test", password = "long enough" });
        Assert.Equal("username", (await sameName.ProblemAsync(HttpStatusCode.Conflict)).GetProperty("field").GetString());
    }

    [Fact]
    public async Task Wrong_password_and_unknown_email_answer_the_same_401()
    {
        var client = api.CreateClient();
        var account = await client.RegisterAsync();

        using var wrong = await client.PostAsJsonAsync("/api/v1/auth/login", new { email = account.Email, password = "not the password" });
        using var unknown = await client.PostAsJsonAsync("/api/v1/auth/login", new { email = "nobody@example.test", password = "not the password" });

        var a = await wrong.ProblemAsync(HttpStatusCode.Unauthorized);
        var b = await unknown.ProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(a.GetProperty("detail").GetString(), b.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Tokens_expire_by_the_clock()
    {
        var client = api.CreateClient();
        var account = await client.RegisterAsync();
        client.As(account);
        await (await client.GetAsync("/api/v1/auth/me")).JsonAsync(HttpStatusCode.OK);

        api.Time.Advance(TimeSpan.FromDays(7) - TimeSpan.FromMinutes(1));
        await (await client.GetAsync("/api/v1/auth/me")).JsonAsync(HttpStatusCode.OK);

        api.Time.Advance(TimeSpan.FromMinutes(2));
        var problem = await (await client.GetAsync("/api/v1/auth/me")).ProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Contains("expired", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Tampered_foreign_or_missing_tokens_are_refused()
    {
        var client = api.CreateClient();
        var account = await client.RegisterAsync();
        var parts = account.Token.Split('.');
        var payload = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Base64UrlDecode(parts[1]))!;
        var forgedPayload = Base64UrlEncode(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(payload.ToDictionary(
            p => p.Key, p => p.Key == "sub" ? (object)"someone-else" : p.Value))));

        await (await api.CreateClient().As($"{parts[0]}.{forgedPayload}.{parts[2]}").GetAsync("/api/v1/auth/me")).ProblemAsync(HttpStatusCode.Unauthorized);

        await using var other = new ApiFactory();
        var foreign = await other.CreateClient().RegisterAsync();
        await (await api.CreateClient().As(foreign.Token).GetAsync("/api/v1/auth/me")).ProblemAsync(HttpStatusCode.Unauthorized);

        await (await api.CreateClient().GetAsync("/api/v1/auth/me")).ProblemAsync(HttpStatusCode.Unauthorized);
        await (await api.CreateClient().GetAsync("/api/v1/folders/root")).ProblemAsync(HttpStatusCode.Unauthorized);
        await (await api.CreateClient().GetAsync("/api/v1/audit")).ProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Repeated_failures_for_one_account_are_throttled_with_retry_after()
    {
        var client = api.CreateClient();
        var account = await client.RegisterAsync();
        for (var i = 0; i < 5; i++)
        {
            using var failed = await client.PostAsJsonAsync("/api/v1/auth/login", new { email = account.Email, password = $"wrong {i}" });
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        }

        using var throttled = await client.PostAsJsonAsync("/api/v1/auth/login", new { email = account.Email, password = account.Password });
        await throttled.ProblemAsync(HttpStatusCode.TooManyRequests);
        var retryAfter = int.Parse(throttled.Headers.GetValues("Retry-After").Single());
        Assert.InRange(retryAfter, 1, 15 * 60);
    }

    [Fact]
    public async Task Repeated_failures_from_one_address_are_throttled_across_accounts()
    {
        var client = api.CreateClient();
        var address = $"198.51.100.{Random.Shared.Next(1, 250)}";
        client.DefaultRequestHeaders.Add(ApiFactory.ClientAddressHeader, address);
        var account = await api.CreateClient().RegisterAsync();
        for (var i = 0; i < 20; i++)
        {
            using var failed = await client.PostAsJsonAsync("/api/v1/auth/login", new { email = $"guess{i}-{Guid.NewGuid():N}@example.test", password = "whatever1" });
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        }

        using var throttled = await client.PostAsJsonAsync("/api/v1/auth/login", new { email = account.Email, password = account.Password });
        await throttled.ProblemAsync(HttpStatusCode.TooManyRequests);

        var elsewhere = api.CreateClient();
        elsewhere.DefaultRequestHeaders.Add(ApiFactory.ClientAddressHeader, "203.0.113.7");
        using var fine = await elsewhere.PostAsJsonAsync("/api/v1/auth/login", new { email = account.Email, password = account.Password });
        Assert.Equal(HttpStatusCode.OK, fine.StatusCode);
    }

    [Fact]
    public async Task Malformed_json_is_a_400_problem()
    {
        using var content = new StringContent("{\"email\": \"a@b.c\", \"password\": ", Encoding.UTF8, "application/json");
        using var response = await api.CreateClient().PostAsync("/api/v1/auth/login", content);
        var problem = await response.ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("JSON", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Sessions_are_listed_and_one_can_be_revoked_from_another()
    {
        var client = api.CreateClient();
        var account = await client.RegisterAsync();
        using var login = await client.PostAsJsonAsync("/api/v1/auth/login", new { email = account.Email, password = account.Password });
        var laptop = (await login.JsonAsync(HttpStatusCode.OK)).GetProperty("token").GetString()!;

        var phone = api.CreateClient().As(account);
        var sessions = await (await phone.GetAsync("/api/v1/auth/sessions")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(2, sessions.GetArrayLength());
        Assert.Single(sessions.EnumerateArray(), s => s.GetProperty("current").GetBoolean());
        var laptopSession = sessions.EnumerateArray().Single(s => !s.GetProperty("current").GetBoolean()).GetProperty("id").GetString();

        using var revoke = await phone.DeleteAsync($"/api/v1/auth/sessions/{laptopSession}");
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        await (await api.CreateClient().As(laptop).GetAsync("/api/v1/auth/me")).ProblemAsync(HttpStatusCode.Unauthorized);
        await (await phone.GetAsync("/api/v1/auth/me")).JsonAsync(HttpStatusCode.OK);

        var stranger = await api.CreateClient().RegisterAsync();
        using var notYours = await api.CreateClient().As(stranger).DeleteAsync($"/api/v1/auth/sessions/{laptopSession}");
        await notYours.ProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Sign_up_sign_in_failures_and_logout_are_audited()
    {
        var client = api.CreateClient();
        var account = await client.RegisterAsync();
        (await client.PostAsJsonAsync("/api/v1/auth/login", new { email = account.Email, password = "wrong password" })).Dispose();
        using var login = await client.PostAsJsonAsync("/api/v1/auth/login", new { email = account.Email, password = account.Password });
        var token = (await login.JsonAsync(HttpStatusCode.OK)).GetProperty("token").GetString()!;
        (await api.CreateClient().As(token).PostAsync("/api/v1/auth/logout", null)).Dispose();

        var audit = await (await client.As(account).GetAsync("/api/v1/audit?limit=10")).JsonAsync(HttpStatusCode.OK);
        var actions = audit.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.Equal(["auth.signout", "auth.signin", "auth.signin-failed", "auth.signup"], actions);
        Assert.Equal(4, audit.GetProperty("total").GetInt64());

        var stranger = await api.CreateClient().RegisterAsync();
        var theirs = await (await api.CreateClient().As(stranger).GetAsync("/api/v1/audit")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(["auth.signup"], theirs.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("action").GetString()));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("your-super-secret-jwt-key")]
    [InlineData("short-secret")]
    public async Task Production_refuses_to_start_without_a_strong_jwt_secret(string? secret)
    {
        await using var production = new ApiFactory(new Dictionary<string, string?> { ["JWT_SECRET"] = secret }, environment: "Production");
        var error = Assert.ThrowsAny<Exception>(() => production.CreateClient());
        Assert.Contains("JWT_SECRET", error.GetBaseException().Message);
    }

    private static byte[] Base64UrlDecode(string value)
    {
        var padded = value.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded.PadRight(padded.Length + ((4 - (padded.Length % 4)) % 4), '='));
    }

    private static string Base64UrlEncode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

public class ForwardedAddressTests
{
    [Theory]
    [InlineData("127.0.0.1", null, "203.0.113.9")]
    [InlineData("198.51.100.1", null, "198.51.100.1")]
    [InlineData("10.1.2.3", "10.1.0.0/16", "203.0.113.9")]
    public async Task The_client_address_comes_from_x_forwarded_for_only_through_trusted_proxies(string peer, string? trusted, string expected)
    {
        await using var api = new ApiFactory(new Dictionary<string, string?> { ["TRUSTED_PROXIES"] = trusted });
        var client = api.CreateClient();
        client.DefaultRequestHeaders.Add(ApiFactory.ClientAddressHeader, peer);
        client.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.9");
        var account = await client.RegisterAsync();

        var audit = await (await client.As(account).GetAsync("/api/v1/audit")).JsonAsync(System.Net.HttpStatusCode.OK);
        Assert.Equal(expected, audit.GetProperty("items")[0].GetProperty("ipAddress").GetString());
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace AioStorage.Tests.Api;

/// <summary>What the API tests do over and over: sign up a fresh user, call as them, read problems.</summary>
public static class ApiClient
{
    public sealed record Account(string Id, string Username, string Email, string Password, string Token);

    public static async Task<Account> RegisterAsync(this HttpClient client, string? username = null)
    {
        username ??= "u" + Guid.NewGuid().ToString("N")[..12];
        var email = $"{username}@example.test";
        const string password = "correct horse battery";
        using var response = await client.PostAsJsonAsync("/api/v1/auth/register", new { username, email, password });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return new Account(body.GetProperty("user").GetProperty("id").GetString()!, username, email, password, body.GetProperty("token").GetString()!);
    }

    public static HttpClient As(this HttpClient client, Account account) => client.As(account.Token);

    public static HttpClient As(this HttpClient client, string token)
    {
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public static async Task<JsonElement> ProblemAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        return problem;
    }

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        Assert.True(response.StatusCode == expected, $"expected {expected}, got {response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}

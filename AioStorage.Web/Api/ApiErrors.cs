using System.Net;

namespace AioStorage.Web.Api;

/// <summary>An RFC 9457 problem as the api sends it, or the closest equivalent for an error answer without one.</summary>
public sealed record ApiProblem(
    int Status,
    string? Title,
    string? Detail,
    string? Type,
    IReadOnlyDictionary<string, string[]> Errors)
{
    public static ApiProblem FromStatus(HttpStatusCode status, string? reason) =>
        new((int)status, reason, null, null, new Dictionary<string, string[]>());
}

public abstract class ApiException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The api answered, with an error.</summary>
public sealed class ApiProblemException(ApiProblem problem)
    : ApiException($"{problem.Status} {problem.Title}: {problem.Detail}")
{
    public ApiProblem Problem { get; } = problem;

    public int Status => Problem.Status;
}

/// <summary>The api did not answer: connection refused, name not resolved, or no answer in time.</summary>
public sealed class ApiUnreachableException(Uri address, string reason, Exception inner)
    : ApiException($"The api at {address} cannot be reached: {reason}", inner)
{
    public Uri Address { get; } = address;

    public string Reason { get; } = reason;
}

/// <summary>
/// Nobody is signed in (any more): the api answered 401, or no session was there to call it with. The session is
/// already forgotten and the page is on its way to sign-in, so there is nothing to show for it.
/// </summary>
public sealed class SessionEndedException(ApiProblemException? refusal = null)
    : ApiException("The session has ended: sign in again.", refusal);

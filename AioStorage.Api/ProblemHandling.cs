using AioStorage.Core.Errors;
using AioStorage.Core.Messaging;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace AioStorage.Api;

/// <summary>Turns every <see cref="DomainException"/> and unreadable request into an RFC 9457 problem response.</summary>
internal sealed class ProblemExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        ProblemDetails? problem = exception switch
        {
            ValidationFailedException validation => new HttpValidationProblemDetails(validation.Errors.ToDictionary(e => e.Key, e => e.Value))
            {
                Status = StatusCodes.Status400BadRequest,
                Title = validation.Title,
                Detail = validation.Message,
            },
            DomainException domain => new ProblemDetails
            {
                Status = domain switch
                {
                    AuthenticationFailedException => StatusCodes.Status401Unauthorized,
                    NotFoundException => StatusCodes.Status404NotFound,
                    ConflictException => StatusCodes.Status409Conflict,
                    TooManyAttemptsException => StatusCodes.Status429TooManyRequests,
                    PayloadTooLargeException => StatusCodes.Status413PayloadTooLarge,
                    QuotaExceededException => StatusCodes.Status507InsufficientStorage,
                    _ => StatusCodes.Status400BadRequest,
                },
                Title = domain.Title,
                Detail = domain.Message,
            },
            MessagePublishException => new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Service unavailable",
                Detail = "The message queue did not accept the work. Try again in a moment.",
            },
            BadHttpRequestException bad => new ProblemDetails
            {
                Status = bad.StatusCode,
                Title = "Bad request",
                Detail = bad.InnerException is System.Text.Json.JsonException json
                    ? $"The request body is not valid JSON: {json.Message}"
                    : bad.Message,
            },
            _ => null,
        };
        if (problem is null)
        {
            return false;
        }

        if (exception is ConflictException conflict)
        {
            problem.Extensions["field"] = conflict.Field;
        }

        if (exception is TooManyAttemptsException tooMany)
        {
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(tooMany.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        context.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }
}

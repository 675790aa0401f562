namespace AioStorage.Core.Errors;

/// <summary>
/// A request that cannot be done as asked. The api turns each kind into its RFC 9457 problem response,
/// so services state the rule that was broken and the endpoints stay a reading of the HTTP contract.
/// </summary>
public abstract class DomainException(string title, string detail) : Exception(detail)
{
    public string Title { get; } = title;
}

/// <summary>400: the input breaks a rule; <see cref="Errors"/> lists the fields.</summary>
public sealed class ValidationFailedException(IReadOnlyDictionary<string, string[]> errors)
    : DomainException("Validation failed", string.Join(" ", errors.SelectMany(e => e.Value)))
{
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;

    public static ValidationFailedException For(string field, string message) => new(new Dictionary<string, string[]> { [field] = [message] });
}

/// <summary>401: who you say you are could not be confirmed.</summary>
public sealed class AuthenticationFailedException(string detail) : DomainException("Unauthorized", detail);

/// <summary>404: it does not exist, or it is someone else's (never tell which).</summary>
public sealed class NotFoundException(string what) : DomainException("Not found", $"{what} was not found.");

/// <summary>409: it clashes with something that exists (a taken name, a move into itself).</summary>
public sealed class ConflictException(string field, string detail) : DomainException("Conflict", detail)
{
    public string Field { get; } = field;
}

/// <summary>429: too many attempts; try again after <see cref="RetryAfter"/>.</summary>
public sealed class TooManyAttemptsException(TimeSpan retryAfter, string detail) : DomainException("Too many requests", detail)
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}

/// <summary>413: the content is larger than this route accepts.</summary>
public sealed class PayloadTooLargeException(long limit)
    : DomainException("Payload too large", $"The file is larger than the {limit} bytes this server accepts here. Use a resumable upload for larger files.")
{
    public long Limit { get; } = limit;
}

/// <summary>507: storing it would take the user over their quota.</summary>
public sealed class QuotaExceededException(long needed, long available)
    : DomainException("Insufficient storage", $"This needs {Bytes(needed)} but only {Bytes(Math.Max(0, available))} of your quota are left. Empty the trash or delete files to make room.")
{
    private static string Bytes(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} bytes",
        < 1024 * 1024 => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KiB"),
        < 1024L * 1024 * 1024 => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.#} MiB"),
        _ => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024 * 1024):0.##} GiB"),
    };
}

using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AioStorage.Core.Archives;

/// <summary>
/// Configuration section <c>Archives</c> (e.g. <c>Archives__ExpiresIn=2.00:00:00</c>), read by the api (the expiry it
/// announces) and the worker (the expiry it records and the cleaner that enforces it).
/// </summary>
public sealed class ArchiveOptions : IValidatableObject
{
    public const string SectionName = "Archives";

    /// <summary>How long a finished archive can be downloaded; also how long a job may wait for a worker before it expires unmade.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan ExpiresIn { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How long an expired job stays readable (GET answers "expired") before its record is deleted (then 404).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "365.00:00:00")]
    public TimeSpan RecordRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often the worker's cleaner looks for expired archives.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromMinutes(5);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (CleanupInterval > ExpiresIn)
        {
            yield return new ValidationResult("Archives:CleanupInterval must not be longer than Archives:ExpiresIn, or archives outlive their expiry.",
                [nameof(CleanupInterval)]);
        }
    }
}

public static class ArchiveOptionsRegistration
{
    /// <summary>Binds and validates <see cref="ArchiveOptions"/> at start-up, so a bad value stops the process with its name.</summary>
    public static IServiceCollection AddArchiveOptions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ArchiveOptions>()
            .Bind(configuration.GetSection(ArchiveOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        return services;
    }
}

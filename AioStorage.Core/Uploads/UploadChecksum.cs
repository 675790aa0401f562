using System.Security.Cryptography;
using AioStorage.Core.Errors;

namespace AioStorage.Core.Uploads;

/// <summary>
/// The tus <c>Upload-Checksum</c> of one request's body: an algorithm name and the Base64 digest. The server checks
/// it once the whole body has arrived and keeps none of the body when it does not match.
/// </summary>
public sealed record UploadChecksum(HashAlgorithmName Algorithm, byte[] Digest)
{
    /// <summary>What <c>Tus-Checksum-Algorithm</c> announces, in the lower-case names tus requires.</summary>
    public static readonly IReadOnlyList<string> Algorithms = ["sha1", "sha256"];

    private const string Field = "Upload-Checksum";

    /// <summary>Null when the request carries no checksum.</summary>
    /// <exception cref="ValidationFailedException">An unsupported algorithm or a malformed digest (400, as tus asks).</exception>
    public static UploadChecksum? Parse(string? header)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return null;
        }

        var parts = header.Trim().Split(' ');
        if (parts.Length != 2)
        {
            throw ValidationFailedException.For(Field, "Upload-Checksum is an algorithm and a Base64 digest separated by one space.");
        }

        var (algorithm, digestLength) = parts[0] switch
        {
            "sha1" => (HashAlgorithmName.SHA1, SHA1.HashSizeInBytes),
            "sha256" => (HashAlgorithmName.SHA256, SHA256.HashSizeInBytes),
            _ => throw ValidationFailedException.For(Field, $"The checksum algorithm '{parts[0]}' is not supported; use {string.Join(" or ", Algorithms)}."),
        };
        var digest = new byte[digestLength];
        if (!Convert.TryFromBase64String(parts[1], digest, out var written) || written != digestLength)
        {
            throw ValidationFailedException.For(Field, $"The {parts[0]} digest must be {digestLength} bytes in Base64.");
        }

        return new UploadChecksum(algorithm, digest);
    }

    public IncrementalHash CreateHash() => IncrementalHash.CreateHash(Algorithm);

    public bool Matches(IncrementalHash hash) => CryptographicOperations.FixedTimeEquals(hash.GetHashAndReset(), Digest);
}

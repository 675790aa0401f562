using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace AioStorage.Core.Accounts;

/// <summary>
/// PBKDF2-HMAC-SHA256 with a 128-bit random salt, at the iteration count OWASP recommends (600,000).
/// The count is stored in each hash, so raising it later only makes new and re-hashed passwords slower to attack.
/// </summary>
public sealed class PasswordHasher
{
    public const int DefaultIterations = 600_000;
    private const string Scheme = "pbkdf2-sha256";
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    private readonly int iterations;
    private readonly Lazy<string> dummyHash;

    public PasswordHasher(int iterations = DefaultIterations)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        this.iterations = iterations;
        dummyHash = new Lazy<string>(() => Hash(Convert.ToBase64String(RandomNumberGenerator.GetBytes(18))));
    }

    public string Hash(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, HashBytes);
        return $"${Scheme}${iterations.ToString(CultureInfo.InvariantCulture)}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    /// <summary>Constant-time comparison; false for any malformed stored value.</summary>
    public bool Verify(string password, string stored)
    {
        var parts = stored.Split('$');
        if (parts.Length != 5 || parts[1] != Scheme
            || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var storedIterations) || storedIterations < 1)
        {
            return false;
        }

        try
        {
            var salt = Convert.FromBase64String(parts[3]);
            var expected = Convert.FromBase64String(parts[4]);
            var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, storedIterations, HashAlgorithmName.SHA256, expected.Length);
            return CryptographicOperations.FixedTimeEquals(actual, expected);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>
    /// A hash to verify against when the account does not exist, so a wrong email costs the same time as a wrong password.
    /// </summary>
    public string DummyHash => dummyHash.Value;

    /// <summary>True when the stored hash used fewer iterations than this hasher does now.</summary>
    public bool NeedsRehash(string stored)
    {
        var parts = stored.Split('$');
        return parts.Length != 5 || parts[1] != Scheme
            || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var storedIterations)
            || storedIterations < iterations;
    }
}

using System.Net.Mail;
using System.Text.RegularExpressions;
using AioStorage.Core.Audit;
using AioStorage.Core.Errors;
using AioStorage.Core.Metadata;

namespace AioStorage.Core.Accounts;

public sealed record AccountOptions(long DefaultStorageQuota = AccountOptions.TenGiB)
{
    public const long TenGiB = 10L * 1024 * 1024 * 1024;
}

public sealed record SignedIn(UserRecord User, IssuedToken Token);

/// <summary>Sign-up, sign-in, sign-out and sessions.</summary>
public sealed partial class AccountService(
    IUserStore users,
    PasswordHasher hasher,
    TokenService tokens,
    SessionStore sessions,
    LoginThrottle throttle,
    AuditLog audit,
    AccountOptions options,
    TimeProvider time)
{
    /// <summary>Above this a password is refused: hashing megabytes 600,000 times would be a denial of service.</summary>
    public const int MaxPasswordLength = 1024;
    public const int MinPasswordLength = 8;

    public async Task<SignedIn> RegisterAsync(string? username, string? email, string? password, ClientInfo client, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        username = username?.Trim() ?? string.Empty;
        email = email?.Trim() ?? string.Empty;
        if (!UsernamePattern().IsMatch(username))
        {
            errors["username"] = ["A username has 3 to 50 characters: letters, digits, '_' and '-'."];
        }

        if (!IsEmail(email))
        {
            errors["email"] = ["Enter a valid email address."];
        }

        if (password is null || password.Length < MinPasswordLength)
        {
            errors["password"] = [$"A password has at least {MinPasswordLength} characters."];
        }
        else if (password.Length > MaxPasswordLength)
        {
            errors["password"] = [$"A password has at most {MaxPasswordLength} characters."];
        }

        if (errors.Count > 0)
        {
            throw new ValidationFailedException(errors);
        }

        var now = time.GetUtcNow();
        var user = new UserRecord(Ids.New(), username, email, hasher.Hash(password!), 0, options.DefaultStorageQuota, now, now);
        try
        {
            await users.CreateAsync(user, cancellationToken);
        }
        catch (MetadataConflictException conflict)
        {
            throw new ConflictException(conflict.Field, conflict.Field == "email"
                ? "An account with this email already exists."
                : "This username is taken.");
        }

        await audit.RecordAsync(user.Id, AuditActions.SignUp, user.Id, client, cancellationToken);
        return await StartSessionAsync(user, client, cancellationToken);
    }

    public async Task<SignedIn> LoginAsync(string? email, string? password, ClientInfo client, CancellationToken cancellationToken)
    {
        email = email?.Trim() ?? string.Empty;
        if (email.Length == 0 || string.IsNullOrEmpty(password))
        {
            throw new ValidationFailedException(new Dictionary<string, string[]>
            {
                ["credentials"] = ["Email and password are required."],
            });
        }

        await throttle.EnsureAllowedAsync(email, client);
        var user = await users.GetByEmailAsync(email, cancellationToken);
        var valid = password.Length <= MaxPasswordLength && hasher.Verify(password, user?.PasswordHash ?? hasher.DummyHash);
        if (user is null || !valid)
        {
            await throttle.RecordFailureAsync(email, client);
            if (user is not null)
            {
                await audit.RecordAsync(user.Id, AuditActions.SignInFailed, user.Id, client, cancellationToken);
            }

            throw new AuthenticationFailedException("The email or password is wrong.");
        }

        await throttle.RecordSuccessAsync(email);
        await audit.RecordAsync(user.Id, AuditActions.SignIn, user.Id, client, cancellationToken);
        return await StartSessionAsync(user, client, cancellationToken);
    }

    public async Task<UserRecord> GetAsync(string userId, CancellationToken cancellationToken)
        => await users.GetByIdAsync(userId, cancellationToken) ?? throw new AuthenticationFailedException("The account no longer exists.");

    public async Task LogoutAsync(string userId, string tokenId, DateTimeOffset expiresAt, ClientInfo client, CancellationToken cancellationToken)
    {
        await sessions.RevokeAsync(userId, tokenId, expiresAt);
        await audit.RecordAsync(userId, AuditActions.SignOut, userId, client, cancellationToken);
    }

    public Task<IReadOnlyList<SessionInfo>> ListSessionsAsync(string userId) => sessions.ListAsync(userId);

    public async Task RevokeSessionAsync(string userId, string tokenId, ClientInfo client, CancellationToken cancellationToken)
    {
        var expiresAt = await sessions.FindAsync(userId, tokenId) ?? throw new NotFoundException("Session");
        await sessions.RevokeAsync(userId, tokenId, expiresAt);
        await audit.RecordAsync(userId, AuditActions.SessionRevoked, tokenId, client, cancellationToken);
    }

    private async Task<SignedIn> StartSessionAsync(UserRecord user, ClientInfo client, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var token = tokens.Issue(user);
        await sessions.RegisterAsync(user.Id, token, client);
        return new SignedIn(user, token);
    }

    private static bool IsEmail(string email)
        => email.Length is > 2 and <= 254 && MailAddress.TryCreate(email, out var address) && address.Address == email && email.Contains('.', StringComparison.Ordinal);

    [GeneratedRegex("^[A-Za-z0-9_-]{3,50}$")]
    private static partial Regex UsernamePattern();
}

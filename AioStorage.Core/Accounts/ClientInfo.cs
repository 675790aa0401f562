namespace AioStorage.Core.Accounts;

/// <summary>Where a request came from, for throttling and the audit log.</summary>
public sealed record ClientInfo(string? IpAddress, string? UserAgent);

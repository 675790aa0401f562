namespace AioStorage.Core.Messaging.Contracts;

/// <summary>
/// Published by the api to <see cref="QueueNames.FileDownload"/> after <c>POST /archives</c>: the worker writes the ZIP of
/// the job's selection (the job record holds the ids) and records its progress and outcome on the job.
/// </summary>
public sealed record ArchiveRequested(string JobId, string OwnerId, DateTimeOffset RequestedAt);

namespace AioStorage.Core.Messaging.Contracts;

/// <summary>
/// Published by the worker's file.upload processor to <see cref="QueueNames.VideoTranscode"/> for a video: make HLS
/// renditions and an MP4 fallback of the content <see cref="Sha256"/> of the file. The products belong to the content, so
/// a message for content that is already transcoded (a copy, a redelivery) only records them on the file.
/// </summary>
public sealed record VideoTranscodeRequested(string FileId, string OwnerId, string Sha256, DateTimeOffset RequestedAt);

using AioStorage.Core.Errors;
using AioStorage.Core.Files;
using AioStorage.Core.Metadata;

namespace AioStorage.Core.Uploads;

/// <summary>
/// What the server reads from an upload's metadata: <c>filename</c> (or Uppy's <c>name</c>; "upload" without either),
/// <c>folderId</c> (the root without it), <c>filetype</c> and <c>onConflict</c> (version, rename or fail, as for plain
/// uploads). The name is checked by the folder-tree rules here, so a bad one is refused before any byte is sent.
/// </summary>
public sealed record UploadDescription(string FileName, string? FolderId, string? FileType, NameConflictPolicy Conflict)
{
    public const string DefaultFileName = "upload";

    public static UploadDescription From(UploadMetadata metadata)
    {
        var given = metadata.GetText("filename") ?? metadata.GetText("name");
        if (!NodeNames.TryNormalize(string.IsNullOrWhiteSpace(given) ? DefaultFileName : given, out var name, out var error))
        {
            throw ValidationFailedException.For("filename", error);
        }

        var folderId = metadata.GetText("folderId");
        var conflict = metadata.GetText("onConflict")?.Trim().ToLowerInvariant() switch
        {
            null or "" or "version" => NameConflictPolicy.Version,
            "rename" => NameConflictPolicy.Rename,
            "fail" => NameConflictPolicy.Fail,
            _ => throw ValidationFailedException.For("onConflict", "onConflict is version, rename or fail."),
        };
        return new UploadDescription(name, string.IsNullOrWhiteSpace(folderId) ? null : folderId.Trim(), metadata.GetText("filetype"), conflict);
    }
}

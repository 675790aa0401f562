using Microsoft.AspNetCore.StaticFiles;

namespace AioStorage.Web.Components.Drive;

/// <summary>Which icon and label a file gets, from its MIME type (detected by the worker from the bytes).</summary>
public static class FileKinds
{
    private static readonly FileExtensionContentTypeProvider Extensions = new();

    /// <summary>By the name's extension, for a file the api has not seen yet (one being uploaded).</summary>
    public static (string Icon, string Label) OfName(string name) =>
        Of(Extensions.TryGetContentType(name, out var type) ? type : null);

    public static (string Icon, string Label) Of(string? mimeType)
    {
        var type = (mimeType ?? "").Split(';', 2)[0].Trim().ToLowerInvariant();
        return type switch
        {
            _ when type.StartsWith("image/", StringComparison.Ordinal) => ("image", "Image"),
            _ when type.StartsWith("video/", StringComparison.Ordinal) => ("film", "Video"),
            _ when type.StartsWith("audio/", StringComparison.Ordinal) => ("music", "Audio"),
            "application/pdf" => ("file-text", "PDF document"),
            "application/zip" or "application/x-7z-compressed" or "application/x-tar" or "application/gzip"
                or "application/x-gzip" or "application/x-bzip2" or "application/x-xz" or "application/vnd.rar"
                or "application/x-rar-compressed" or "application/zstd" => ("archive", "Archive"),
            "application/json" or "application/xml" or "application/javascript" or "application/x-sh"
                or "text/html" or "text/css" or "text/javascript" or "text/x-csharp" or "text/x-python" => ("code", "Code"),
            _ when type.StartsWith("text/", StringComparison.Ordinal) => ("file-text", "Text"),
            _ when type.Contains("word", StringComparison.Ordinal) || type.Contains("opendocument.text", StringComparison.Ordinal) => ("file-text", "Document"),
            _ when type.Contains("sheet", StringComparison.Ordinal) || type.Contains("excel", StringComparison.Ordinal) => ("file-text", "Spreadsheet"),
            _ when type.Contains("presentation", StringComparison.Ordinal) || type.Contains("powerpoint", StringComparison.Ordinal) => ("file-text", "Presentation"),
            _ => ("file", "File"),
        };
    }
}

using AioStorage.Core.Errors;

namespace AioStorage.Core.Uploads;

/// <summary>Why a tus request was refused; the api gives each its tus status code (tus clients act on the code alone).</summary>
public enum UploadRefusal
{
    /// <summary>413: larger than <c>Tus-Max-Size</c>, or more bytes than the upload has left.</summary>
    TooLarge,

    /// <summary>409: <c>Upload-Offset</c> is not where the upload stands.</summary>
    OffsetMismatch,

    /// <summary>410: terminated or expired; the client must start a new upload.</summary>
    Gone,

    /// <summary>423: another request is writing to or finishing this upload right now.</summary>
    Locked,

    /// <summary>460: the body does not match <c>Upload-Checksum</c>; none of it was kept.</summary>
    ChecksumMismatch,
}

public sealed class ResumableUploadException(UploadRefusal refusal, string detail) : DomainException(TitleOf(refusal), detail)
{
    public UploadRefusal Refusal { get; } = refusal;

    private static string TitleOf(UploadRefusal refusal) => refusal switch
    {
        UploadRefusal.TooLarge => "Payload too large",
        UploadRefusal.OffsetMismatch => "Offset mismatch",
        UploadRefusal.Gone => "Upload gone",
        UploadRefusal.Locked => "Upload locked",
        UploadRefusal.ChecksumMismatch => "Checksum mismatch",
        _ => "Upload refused",
    };
}

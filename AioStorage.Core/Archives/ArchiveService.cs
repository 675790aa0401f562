using System.Globalization;
using System.Text;
using AioStorage.Core.Accounts;
using AioStorage.Core.Audit;
using AioStorage.Core.Errors;
using AioStorage.Core.Messaging;
using AioStorage.Core.Messaging.Contracts;
using AioStorage.Core.Metadata;
using Microsoft.Extensions.Options;

namespace AioStorage.Core.Archives;

/// <summary>An archive job as its owner sees it: the status with expiry applied, the ZIP's name and what the worker reported.</summary>
public sealed record ArchiveView(JobRecord Job, JobStatus Status, string Name, ArchiveResult? Result);

/// <summary>A finished archive on disk, ready to be sent.</summary>
public sealed record ArchiveContent(ArchiveView Archive, string Path, long Size, DateTimeOffset LastModified);

/// <summary>The archive existed but is no longer there to download: 410.</summary>
public sealed class ArchiveGoneException(string detail) : Exception(detail);

/// <summary>
/// ZIP downloads of a selection of files and folders, prepared in the background: the api records a job and announces it
/// on <c>file.download</c> through the outbox (so a request is accepted while RabbitMQ is away), the worker writes the
/// ZIP and records its progress and outcome on the job, and the api serves the result until it expires.
/// </summary>
public sealed class ArchiveService(
    IJobStore jobs,
    INodeStore nodes,
    ArchiveFiles files,
    Outbox outbox,
    AuditLog audit,
    IOptions<ArchiveOptions> options,
    TimeProvider time)
{
    /// <summary>Longer ids than this are not ids this system made; refusing them keeps a job's parameters small.</summary>
    private const int MaxIdLength = 128;

    /// <summary>
    /// Checks that every id is a live file or folder of the owner (another user's, a trashed or an unknown one: 404),
    /// records a queued job and publishes <see cref="ArchiveRequested"/>. Duplicate ids count once.
    /// </summary>
    public async Task<ArchiveView> CreateAsync(string ownerId, IReadOnlyList<string?>? ids, string? name, ClientInfo client, CancellationToken cancellationToken)
    {
        var selection = ValidSelection(ids);
        var requestedName = ValidName(name);
        var selected = new List<NodeRecord>(selection.Count);
        foreach (var id in selection)
        {
            var node = await nodes.GetAsync(ownerId, id, cancellationToken);
            if (node is null || node.IsTrashed)
            {
                throw new NotFoundException($"File or folder '{id}'");
            }

            selected.Add(node);
        }

        // Milliseconds, as both stores keep times: the job answered now reads the same as every later GET.
        var now = time.GetUtcNow();
        now = now.AddTicks(-(now.UtcTicks % TimeSpan.TicksPerMillisecond));
        var zipName = requestedName ?? DefaultName(selected, now);
        var job = new JobRecord(Ids.New(), ownerId, ArchiveJobs.Kind, JobStatus.Queued, 0, ArchiveJobs.Parameters(selection, zipName),
            null, null, now, now, now + options.Value.ExpiresIn);
        // The announcement is stored before the job (a lease away, so the dispatcher does not send it before the job
        // exists): a crash between the two leaves a message for no job, which the worker dead-letters, never a job
        // no worker will ever hear of, waiting queued until it expires.
        var message = await outbox.AddAsync(QueueNames.FileDownload, new ArchiveRequested(job.Id, ownerId, now), CancellationToken.None);
        await jobs.CreateAsync(job, cancellationToken);
        await outbox.TryPublishAsync(message, CancellationToken.None);
        await audit.RecordAsync(ownerId, ArchiveJobs.CreatedAction, job.Id, client, CancellationToken.None, new Dictionary<string, string>
        {
            ["name"] = zipName,
            ["items"] = selection.Count.ToString(CultureInfo.InvariantCulture),
        });
        return View(job, now);
    }

    public async Task<ArchiveView> GetAsync(string ownerId, string id, CancellationToken cancellationToken)
        => await jobs.GetAsync(ownerId, id, cancellationToken) is { Kind: ArchiveJobs.Kind } job
            ? View(job, time.GetUtcNow())
            : throw new NotFoundException("Archive");

    /// <summary>The finished ZIP: 409 while it is being prepared or after it failed, <see cref="ArchiveGoneException"/> once expired.</summary>
    public async Task<ArchiveContent> GetContentAsync(string ownerId, string id, CancellationToken cancellationToken)
    {
        var archive = await GetAsync(ownerId, id, cancellationToken);
        switch (archive.Status)
        {
            case JobStatus.Expired:
                throw new ArchiveGoneException($"The archive expired at {archive.Job.ExpiresAt:u} and was deleted. Ask for a new one.");
            case JobStatus.Failed:
                throw new ConflictException("status", $"The archive could not be prepared: {archive.Job.Error}");
            case JobStatus.Queued or JobStatus.Running:
                throw new ConflictException("status", string.Create(CultureInfo.InvariantCulture,
                    $"The archive is still being prepared ({archive.Job.Progress:P0} done). Try again when its status is completed."));
        }

        var path = files.PathOf(archive.Job.Id);
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new ArchiveGoneException("The archive is no longer on the server. Ask for a new one.");
        }

        return new ArchiveContent(archive, path, info.Length, archive.Job.UpdatedAt);
    }

    /// <summary>Once per download (not per range request of a resuming download manager).</summary>
    public Task RecordDownloadAsync(string ownerId, ArchiveContent content, string via, ClientInfo client, CancellationToken cancellationToken)
        => audit.RecordAsync(ownerId, ArchiveJobs.DownloadedAction, content.Archive.Job.Id, client, cancellationToken, new Dictionary<string, string>
        {
            ["name"] = content.Archive.Name,
            ["size"] = content.Size.ToString(CultureInfo.InvariantCulture),
            ["via"] = via,
        });

    private static ArchiveView View(JobRecord job, DateTimeOffset now) =>
        new(job, ArchiveJobs.EffectiveStatus(job, now), ArchiveJobs.NameOf(job), ArchiveJobs.ResultOf(job));

    private static List<string> ValidSelection(IReadOnlyList<string?>? ids)
    {
        if (ids is null || ids.Count == 0)
        {
            throw ValidationFailedException.For("ids", "Choose at least one file or folder to put in the archive.");
        }

        if (ids.Count > ArchiveJobs.MaxSelection)
        {
            throw ValidationFailedException.For("ids",
                $"An archive request can name at most {ArchiveJobs.MaxSelection} items; select the folder that holds them instead.");
        }

        if (ids.Any(id => string.IsNullOrWhiteSpace(id) || id.Length > MaxIdLength))
        {
            throw ValidationFailedException.For("ids", "Every id must be the id of one of your files or folders.");
        }

        return [.. ids.Select(id => id!).Distinct(StringComparer.Ordinal)];
    }

    private static string? ValidName(string? name)
    {
        if (name is null)
        {
            return null;
        }

        if (!NodeNames.TryNormalize(name, out var valid, out var error))
        {
            throw ValidationFailedException.For("name", error);
        }

        return WithZipExtension(valid) ?? throw ValidationFailedException.For("name",
            $"The name with its .zip extension can be at most {NodeNames.MaxUtf8Bytes} bytes of UTF-8.");
    }

    /// <summary>A single folder gives its name; any other selection gets the product's name and the day (UTC).</summary>
    private static string DefaultName(IReadOnlyList<NodeRecord> selected, DateTimeOffset now)
    {
        if (selected is [FolderRecord folder])
        {
            return WithZipExtension(folder.Name) ?? WithZipExtension(Truncated(folder.Name, NodeNames.MaxUtf8Bytes - ".zip".Length))!;
        }

        return string.Create(CultureInfo.InvariantCulture, $"AIO Storage {now.UtcDateTime:yyyy-MM-dd}.zip");
    }

    private static string? WithZipExtension(string name)
    {
        var zipName = name.EndsWith(".zip", StringComparison.OrdinalIgnoreCase) ? name : name + ".zip";
        return Encoding.UTF8.GetByteCount(zipName) <= NodeNames.MaxUtf8Bytes ? zipName : null;
    }

    /// <summary>The longest start of <paramref name="name"/> within <paramref name="maxBytes"/> of UTF-8 that does not split a character.</summary>
    private static string Truncated(string name, int maxBytes)
    {
        var builder = new StringBuilder();
        var bytes = 0;
        foreach (var rune in name.EnumerateRunes())
        {
            bytes += rune.Utf8SequenceLength;
            if (bytes > maxBytes)
            {
                break;
            }

            builder.Append(rune.ToString());
        }

        return builder.ToString();
    }
}

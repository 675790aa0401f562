using AioStorage.Web.Api;
using AioStorage.Web.Auth;
using AioStorage.Web.Components.Shared;
using AioStorage.Web.Uploads;
using Microsoft.JSInterop;

namespace AioStorage.Web.Archives;

/// <summary>
/// The ZIPs one browser tab asked for. The worker prepares each in the background; this side follows its job
/// (<see cref="PollAsync"/>, driven by the archive tray on the circuit's own dispatcher, so the list is touched by one
/// thread at a time) and, once it is ready, has the browser download it through a signed link: the bytes go from the
/// api to the browser, never through this server. Everything ends with the circuit (the tab closed or navigated away).
/// </summary>
public sealed partial class ArchiveQueue : IDisposable
{
    private readonly List<ArchiveItem> items = [];
    private readonly CancellationTokenSource stopping = new();
    private readonly SignedInApi api;
    private readonly UserSession session;
    private readonly UploadQueue browser;
    private readonly ApiEndpoints endpoints;
    private readonly Toasts toasts;
    private readonly ILogger<ArchiveQueue> logger;
    private string? ownerId;
    private bool polling;

    public ArchiveQueue(SignedInApi api, UserSession session, UploadQueue browser, ApiEndpoints endpoints, Toasts toasts, ILogger<ArchiveQueue> logger)
    {
        this.api = api;
        this.session = session;
        this.browser = browser;
        this.endpoints = endpoints;
        this.toasts = toasts;
        this.logger = logger;
        session.Changed += OnSessionChanged;
    }

    /// <summary>How often a job being prepared is asked about.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    public IReadOnlyList<ArchiveItem> Items => items;

    public bool HasActive => items.Any(i => i.IsActive);

    /// <summary>Anything in <see cref="Items"/> changed.</summary>
    public event Action? Changed;

    /// <summary>
    /// Asks the api for a ZIP of <paramref name="request"/> and follows it in the tray. A refusal (an item trashed
    /// meanwhile, say) is shown as a message; the return says whether the ZIP is on its way.
    /// </summary>
    public async Task<bool> StartAsync(ArchiveRequest request)
    {
        try
        {
            var job = await api.CreateArchiveAsync(request.Ids, cancellationToken: stopping.Token);
            ownerId = session.Current?.User.Id;
            items.Add(new ArchiveItem(request, job));
            Changed?.Invoke();
            return true;
        }
        catch (ApiException ex)
        {
            if (ex is not SessionEndedException)
            {
                toasts.Show($"A ZIP of {request.Description} could not be prepared", DescribeRequestRefusal(ex), ToastKind.Error);
            }

            return false;
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Prepares the same selection again, as a new job, in place of a failed or expired one.</summary>
    public async Task RetryAsync(ArchiveItem item)
    {
        if (item.IsActive)
        {
            return;
        }

        try
        {
            item.Restart(await api.CreateArchiveAsync(item.Request.Ids, cancellationToken: stopping.Token));
        }
        catch (ApiException ex)
        {
            if (ex is SessionEndedException)
            {
                return;
            }

            item.Fail(ArchiveStatus.Failed, DescribeRequestRefusal(ex));
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return;
        }

        Changed?.Invoke();
    }

    /// <summary>
    /// Asks once about every ZIP still being prepared; one that is ready now starts downloading. Calls that overlap (a
    /// slow api) are skipped rather than stacked.
    /// </summary>
    public async Task PollAsync()
    {
        if (polling || !HasActive)
        {
            return;
        }

        polling = true;
        try
        {
            foreach (var item in items.Where(i => i.IsActive).ToList())
            {
                if (!await PollAsync(item))
                {
                    return;
                }
            }
        }
        finally
        {
            polling = false;
        }
    }

    /// <summary>Has the browser download the finished ZIP (again) through a fresh signed link.</summary>
    public async Task DownloadAsync(ArchiveItem item)
    {
        if (item.State != ArchiveStatus.Completed)
        {
            return;
        }

        try
        {
            var link = await api.CreateArchiveLinkAsync(item.Job.Id, stopping.Token);
            await browser.DownloadAsync(endpoints.ForBrowser(link.Url));
            item.Downloaded = true;
        }
        catch (ApiProblemException gone) when (gone.Status == StatusCodes.Status410Gone)
        {
            item.Fail(ArchiveStatus.Expired, Describe(gone));
        }
        catch (ApiProblemException missing) when (missing.Status == StatusCodes.Status404NotFound)
        {
            item.Fail(ArchiveStatus.Failed, "This ZIP is no longer on the server.");
        }
        catch (ApiException ex)
        {
            if (ex is not SessionEndedException)
            {
                toasts.Show($"“{item.Name}” could not be downloaded", Describe(ex), ToastKind.Error);
            }
        }
        catch (JSDisconnectedException)
        {
            // The tab is gone, and the download with it.
            return;
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return;
        }

        Changed?.Invoke();
    }

    /// <summary>Takes a finished, failed or expired ZIP off the list; one being prepared stays until it ends.</summary>
    public void Dismiss(ArchiveItem item)
    {
        if (!item.IsActive && items.Remove(item))
        {
            Changed?.Invoke();
        }
    }

    public void ClearFinished()
    {
        if (items.RemoveAll(i => !i.IsActive) > 0)
        {
            Changed?.Invoke();
        }
    }

    /// <returns>False when polling should stop for now (the session ended, or the circuit is going).</returns>
    private async Task<bool> PollAsync(ArchiveItem item)
    {
        try
        {
            var job = await api.GetArchiveAsync(item.Job.Id, stopping.Token);
            var becameReady = item.Update(job);
            Changed?.Invoke();
            if (becameReady)
            {
                await DownloadAsync(item);
            }
        }
        catch (ApiProblemException missing) when (missing.Status == StatusCodes.Status404NotFound)
        {
            item.Fail(ArchiveStatus.Failed, "This ZIP is no longer on the server.");
            Changed?.Invoke();
        }
        catch (SessionEndedException)
        {
            return false;
        }
        catch (ApiException ex)
        {
            // The api is away or busy: the worker goes on meanwhile, so this keeps asking and says it cannot see.
            LogPollFailed(logger, item.Job.Id, ex.Message);
            if (!item.Stalled)
            {
                item.Stalled = true;
                Changed?.Invoke();
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return false;
        }

        return true;
    }

    /// <summary>Someone else signing in (or nobody) takes the previous person's ZIPs off the list.</summary>
    private void OnSessionChanged()
    {
        if (items.Count > 0 && session.Current?.User.Id != ownerId)
        {
            items.Clear();
            Changed?.Invoke();
        }
    }

    /// <summary>The api names the first missing item by its id, which means nothing to people; the rule it applies does.</summary>
    private static string DescribeRequestRefusal(ApiException ex) => ex is ApiProblemException { Status: StatusCodes.Status404NotFound }
        ? "Some of the selected items are gone (deleted or in the trash), so they cannot be put in a ZIP. Select what is left and try again."
        : Describe(ex);

    private static string Describe(ApiException ex) => ex switch
    {
        ApiProblemException { Problem.Detail: { Length: > 0 } detail } => detail,
        ApiUnreachableException => "The api cannot be reached right now.",
        _ => ex.Message,
    };

    [LoggerMessage(LogLevel.Debug, "Could not ask about archive {ArchiveId}; trying again: {Reason}")]
    private static partial void LogPollFailed(ILogger logger, string archiveId, string reason);

    public void Dispose()
    {
        session.Changed -= OnSessionChanged;
        // Cancelled, not disposed: a timer tick racing the circuit's end may still read its token, and a source without
        // a timeout holds nothing that needs releasing.
        stopping.Cancel();
    }
}

using AioStorage.Web.Api;
using AioStorage.Web.Auth;
using AioStorage.Web.Components.Shared;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace AioStorage.Web.Uploads;

/// <summary>
/// The uploads of one browser tab. The bytes go from the browser straight to the api (<c>wwwroot/js/uploads.js</c>
/// speaks tus to it); this side hands the browser the signed-in user's token, keeps the list the upload tray shows,
/// and tells the pages when a file has arrived so they can show it.
/// </summary>
public sealed class UploadQueue(
    IJSRuntime js,
    UserSession session,
    SignedInApi api,
    ApiEndpoints endpoints,
    UploadOptions options,
    Toasts toasts,
    TimeProvider time,
    ILogger<UploadQueue> logger) : IAsyncDisposable
{
    private readonly List<UploadItem> items = [];
    private Task<IJSObjectReference>? module;
    private DotNetObjectReference<UploadQueue>? self;
    private (string? Token, string? UserId) shared;
    private bool refreshingStorage;
    private bool storageStale;

    public IReadOnlyList<UploadItem> Items => items;

    public IReadOnlyList<RememberedUpload> Remembered { get; private set; } = [];

    /// <summary>Anything in <see cref="Items"/> or <see cref="Remembered"/> changed.</summary>
    public event Action? Changed;

    /// <summary>A file arrived: pages showing its folder list it.</summary>
    public event Action<UploadItem>? Completed;

    /// <summary>Loads the browser's side and hands it the session; needs JavaScript interop (after the first render).</summary>
    public Task StartAsync() => ModuleAsync();

    /// <summary>
    /// Makes <paramref name="zone"/> take dropped files and <paramref name="button"/> open <paramref name="input"/>; files go
    /// to the folder the zone's <c>data-folder-id</c> names. Dispose the handle when the elements go.
    /// </summary>
    public async Task<IJSObjectReference?> AttachAsync(ElementReference zone, ElementReference input, ElementReference button)
    {
        var browser = await ModuleAsync();
        return await browser.InvokeAsync<IJSObjectReference?>("attach", zone, input, button);
    }

    /// <summary>Buttons marked <c>data-resume-pick</c> inside <paramref name="container"/> open <paramref name="input"/> to pick files to resume.</summary>
    public async Task<IJSObjectReference?> AttachResumeAsync(ElementReference container, ElementReference input)
    {
        var browser = await ModuleAsync();
        return await browser.InvokeAsync<IJSObjectReference?>("attachResume", container, input);
    }

    /// <summary>
    /// Has the browser download <paramref name="address"/> (a signed link to the api) itself, in a hidden frame of its
    /// own: downloads started together do not cancel each other, the page stays, and the warning about leaving it while
    /// uploads run keeps quiet.
    /// </summary>
    public Task DownloadAsync(Uri address) => InvokeAsync("download", address.AbsoluteUri);

    public Task PauseAsync(UploadItem item) => InvokeAsync("pause", item.Id);

    /// <summary>Continues a paused upload, or tries a failed one again (from where the server has it, when it has it).</summary>
    public Task ResumeAsync(UploadItem item) => InvokeAsync("resume", item.Id);

    /// <summary>Stops the upload and deletes what the server has of it, which gives back the storage it reserved.</summary>
    public Task CancelAsync(UploadItem item) => InvokeAsync("cancel", item.Id);

    public async Task DismissAsync(UploadItem item)
    {
        await InvokeAsync("dismiss", item.Id);
        items.Remove(item);
        Changed?.Invoke();
    }

    /// <summary>Takes finished uploads (done, failed for good, canceled) off the list.</summary>
    public async Task ClearFinishedAsync()
    {
        foreach (var item in items.Where(i => !i.IsActive).ToList())
        {
            await InvokeAsync("dismiss", item.Id);
            items.Remove(item);
        }

        Changed?.Invoke();
    }

    /// <summary>Gives up an unfinished upload of an earlier visit; the server deletes its bytes and frees its space.</summary>
    public Task DiscardAsync(RememberedUpload upload) => InvokeAsync("discard", upload.Key);

    [JSInvokable]
    public void UploadsQueued(QueuedUpload[] added)
    {
        foreach (var upload in added)
        {
            items.Add(new UploadItem
            {
                Id = upload.Id,
                Name = upload.Name,
                Size = upload.Size,
                FolderId = upload.FolderId,
                FolderName = upload.FolderName,
                Resuming = upload.Resuming,
                Sent = upload.Sent,
                State = UploadState.Queued,
            });
        }

        Remembered = [.. Remembered.Where(r => !added.Any(a => a.Name == r.Name && a.Size == r.Size && a.Resuming))];
        Changed?.Invoke();
    }

    [JSInvokable]
    public void UploadProgress(string id, long sent, double bytesPerSecond)
    {
        if (Find(id) is { } item)
        {
            item.Sent = sent;
            item.BytesPerSecond = bytesPerSecond;
            Changed?.Invoke();
        }
    }

    [JSInvokable]
    public async Task UploadStateChanged(string id, UploadReport report)
    {
        if (Find(id) is not { } item)
        {
            return;
        }

        item.State = ParseState(report.State);
        item.Sent = report.Sent;
        item.BytesPerSecond = report.BytesPerSecond;
        item.Problem = report.Error;
        item.RetryAt = report.RetryInMs is { } wait ? time.GetUtcNow().AddMilliseconds(wait) : null;
        item.FileId = report.FileId ?? item.FileId;
        Changed?.Invoke();

        switch (item.State)
        {
            case UploadState.Completed:
                Completed?.Invoke(item);
                await RefreshStorageAsync();
                break;
            case UploadState.Failed when report.Error?.Status == StatusCodes.Status401Unauthorized:
                // The api refused the token: asking it once more ends the session here too, and sign-in follows.
                await RefreshStorageAsync();
                break;
        }
    }

    [JSInvokable]
    public void RememberedChanged(RememberedUpload[] remembered)
    {
        Remembered = remembered;
        Changed?.Invoke();
    }

    [JSInvokable]
    public void FoldersSkipped(string[] names) =>
        toasts.Show("Folders are not uploaded", $"Open a folder and drop the files inside it instead: {string.Join(", ", names)}.", ToastKind.Error);

    [JSInvokable]
    public void ResumeUnmatched(string[] names) =>
        toasts.Show("Not an unfinished upload", $"{string.Join(", ", names)} did not match any unfinished upload. Use Upload in a folder to send it.", ToastKind.Error);

    [JSInvokable]
    public Task StorageChanged() => RefreshStorageAsync();

    private UploadItem? Find(string id) => items.FirstOrDefault(i => i.Id == id);

    private static UploadState ParseState(string state) => Enum.TryParse<UploadState>(state, ignoreCase: true, out var parsed) ? parsed : UploadState.Failed;

    /// <summary>The storage bar follows uploads; several finishing together share one or two reads of the profile.</summary>
    private async Task RefreshStorageAsync()
    {
        if (refreshingStorage)
        {
            storageStale = true;
            return;
        }

        refreshingStorage = true;
        try
        {
            do
            {
                storageStale = false;
                await api.RefreshProfileAsync();
            }
            while (storageStale);
        }
        catch (ApiException ex)
        {
            logger.LogDebug(ex, "Could not refresh the storage used after an upload");
        }
        finally
        {
            refreshingStorage = false;
        }
    }

    private Task<IJSObjectReference> ModuleAsync() => module ??= LoadAsync();

    private async Task<IJSObjectReference> LoadAsync()
    {
        var browser = await js.InvokeAsync<IJSObjectReference>("import", "./js/uploads.js");
        self = DotNetObjectReference.Create(this);
        shared = (session.Current?.Token, session.Current?.User.Id);
        var settings = new { apiBase = endpoints.Public.ToString(), chunkSize = options.ChunkSize };
        Remembered = await browser.InvokeAsync<RememberedUpload[]>("init", self, settings, shared.Token, shared.UserId);
        session.Changed += OnSessionChanged;
        Changed?.Invoke();
        return browser;
    }

    private void OnSessionChanged() => _ = ShareSessionAsync();

    private async Task ShareSessionAsync()
    {
        var current = (session.Current?.Token, session.Current?.User.Id);
        if (current == shared || module is null)
        {
            return;
        }

        var userChanged = current.Id != shared.UserId;
        shared = current;
        try
        {
            var browser = await module;
            var remembered = await browser.InvokeAsync<RememberedUpload[]>("setSession", current.Token, current.Id);
            if (userChanged)
            {
                items.Clear();
            }

            Remembered = remembered;
            Changed?.Invoke();
        }
        catch (JSDisconnectedException)
        {
            // The tab is gone, and its uploads with it.
        }
    }

    private async Task InvokeAsync(string method, string argument)
    {
        var browser = await ModuleAsync();
        await browser.InvokeVoidAsync(method, argument);
    }

    public async ValueTask DisposeAsync()
    {
        session.Changed -= OnSessionChanged;
        self?.Dispose();
        if (module is { IsCompletedSuccessfully: true })
        {
            try
            {
                await module.Result.DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
                // The browser is gone, and its module with it.
            }
        }
    }
}

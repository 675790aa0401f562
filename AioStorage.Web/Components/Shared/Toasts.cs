namespace AioStorage.Web.Components.Shared;

public enum ToastKind
{
    Success,
    Error,
}

public sealed record Toast(long Id, string Title, string? Detail, ToastKind Kind);

/// <summary>Short confirmations ("Moved to trash") shown at the bottom of the page, for one circuit.</summary>
public sealed class Toasts(TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(6);

    private readonly List<Toast> shown = [];
    private long nextId;

    public IReadOnlyList<Toast> Shown => shown;

    public event Action? Changed;

    public void Show(string title, string? detail = null, ToastKind kind = ToastKind.Success)
    {
        var toast = new Toast(Interlocked.Increment(ref nextId), title, detail, kind);
        shown.Add(toast);
        Changed?.Invoke();
        _ = DismissLaterAsync(toast);
    }

    public void Dismiss(long id)
    {
        if (shown.RemoveAll(t => t.Id == id) > 0)
        {
            Changed?.Invoke();
        }
    }

    private async Task DismissLaterAsync(Toast toast)
    {
        await Task.Delay(Lifetime, time);
        Dismiss(toast.Id);
    }
}

namespace AioStorage.Worker.Archives;

/// <summary>
/// Lets a report through at most once per <paramref name="interval"/>: progress goes to the metadata store, and a write per
/// buffer would cost more than the archive. The first report waits a full interval too; the outcome records 100 %.
/// </summary>
internal sealed class ProgressThrottle(TimeProvider time, TimeSpan interval)
{
    private long _last = time.GetTimestamp();

    public bool IsDue()
    {
        var now = time.GetTimestamp();
        if (time.GetElapsedTime(_last, now) < interval)
        {
            return false;
        }

        _last = now;
        return true;
    }
}

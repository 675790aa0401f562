using AioStorage.Web.Api;

namespace AioStorage.Web.Archives;

/// <summary>
/// What to put in a ZIP, as the person chose it: the ids for the api, their names (to say which items were skipped) and
/// a few words for the tray ("Trip and everything in it", "3 items from My files").
/// </summary>
public sealed record ArchiveRequest(IReadOnlyList<string> Ids, IReadOnlyDictionary<string, string> Names, string Description)
{
    /// <param name="items">The selection, in the order it is listed.</param>
    /// <param name="location">The name of the folder they are in ("My files" for the top).</param>
    public static ArchiveRequest For(IReadOnlyList<DriveItem> items, string location)
    {
        ArgumentOutOfRangeException.ThrowIfZero(items.Count);
        var description = items switch
        {
            [{ IsFolder: true } folder] => $"{folder.Name} and everything in it",
            [var single] => $"{single.Name} from {location}",
            _ => $"{items.Count} items from {location}",
        };
        return new ArchiveRequest([.. items.Select(i => i.Id)], items.ToDictionary(i => i.Id, i => i.Name), description);
    }
}

/// <summary>One ZIP this tab asked for, as the archive tray shows it: the api's job, and what happened on this side.</summary>
public sealed class ArchiveItem(ArchiveRequest request, ArchiveJob job)
{
    public ArchiveRequest Request { get; } = request;

    /// <summary>The job as the api last reported it; a retry replaces it with a new one.</summary>
    public ArchiveJob Job { get; private set; } = job;

    /// <summary>Where the item stands: the job's status, unless this side learnt more (the ZIP is gone, the job vanished).</summary>
    public ArchiveStatus State { get; private set; } = job.State;

    /// <summary>Why it failed or expired, in the api's words or ours; null while all is well.</summary>
    public string? Problem { get; private set; } = ProblemOf(job);

    /// <summary>The last attempt to ask how it is going got no answer; polling goes on.</summary>
    public bool Stalled { get; set; }

    /// <summary>The browser was handed the link to the finished ZIP at least once.</summary>
    public bool Downloaded { get; set; }

    public string Name => Job.Name;

    public bool IsActive => State is ArchiveStatus.Queued or ArchiveStatus.Running;

    /// <summary>Whole percent, rounded down so 100 means written; a finished ZIP is 100.</summary>
    public int Percent => State == ArchiveStatus.Completed ? 100 : (int)Math.Clamp(Math.Floor(Job.Progress * 100), 0, 99);

    /// <summary>Takes the api's latest report; true when it turned completed just now.</summary>
    public bool Update(ArchiveJob latest)
    {
        var wasCompleted = State == ArchiveStatus.Completed;
        Job = latest;
        State = latest.State;
        Problem = ProblemOf(latest);
        Stalled = false;
        return !wasCompleted && State == ArchiveStatus.Completed;
    }

    /// <summary>A fresh job for the same selection (after a failure or expiry).</summary>
    public void Restart(ArchiveJob job)
    {
        Update(job);
        Downloaded = false;
    }

    public void Fail(ArchiveStatus state, string problem)
    {
        State = state;
        Problem = problem;
        Stalled = false;
    }

    /// <summary>The selected items the worker left out, by name where this tab knows it.</summary>
    public IReadOnlyList<(string Name, string Reason)> Skipped =>
        [.. (Job.Skipped ?? []).Select(s => (Request.Names.GetValueOrDefault(s.Id) ?? s.Id, s.Reason))];

    private static string? ProblemOf(ArchiveJob job) => job.State switch
    {
        ArchiveStatus.Failed => job.Error is { Length: > 0 } error ? error : "The server could not prepare it.",
        ArchiveStatus.Expired => "Its time on the server ran out. Prepare it again to download it.",
        _ => null,
    };
}

using AioStorage.Web.Api;

namespace AioStorage.Web.Components.Account;

/// <summary>A piece of an activity sentence; names are emphasised.</summary>
public sealed record ActivityPart(string Text, bool IsName = false);

/// <summary>An audit event as a sentence ("Created folder Photos"), with an icon and a tone for the list.</summary>
/// <param name="SaysWhere">The sentence already names the address and device ("Signed in from …").</param>
public sealed record ActivityLine(string Icon, bool IsWarning, IReadOnlyList<ActivityPart> Parts, bool SaysWhere = false)
{
    public string Text => string.Concat(Parts.Select(p => p.Text));
}

public static class ActivityText
{
    public const string FolderMove = "folder.move";

    /// <param name="folderName">
    /// The name of a folder by id, where it is known: a move is recorded with ids only (<c>from</c>, <c>to</c>).
    /// </param>
    public static ActivityLine Describe(AuditEvent e, Func<string?, string?> folderName)
    {
        var where = Origin(e);
        return e.Action switch
        {
            "auth.signup" => new("user", false, [new($"Created the account{where}")], true),
            "auth.signin" => new("log-in", false, [new($"Signed in{where}")], true),
            "auth.signin-failed" => new("alert", true, [new($"Failed sign-in attempt{where}")], true),
            "auth.signout" => new("log-out", false, [new($"Signed out{where}")], true),
            "auth.session-revoked" => new("shield", false, [new($"Signed out another session{where}")], true),
            "folder.create" => new("folder-plus", false, [new("Created folder "), Name(e.Detail("name"))]),
            "folder.rename" => new("edit", false, [new("Renamed folder "), Name(e.Detail("previousName")), new(" to "), Name(e.Detail("name"))]),
            FolderMove => new("move", false, Moved(e, folderName)),
            "folder.delete" => new("trash", false, Deleted(e)),
            _ => new("activity", false, [new(Humanize(e.Action))]),
        };
    }

    /// <summary>The folder ids a move mentions, whose names <see cref="Describe"/> would like to know.</summary>
    public static IEnumerable<string> FolderIdsToName(AuditEvent e) => e.Action == FolderMove
        ? new[] { e.ResourceId, e.Detail("to") }.OfType<string>().Where(id => id != FolderInfo.RootId)
        : [];

    private static ActivityPart[] Moved(AuditEvent e, Func<string?, string?> folderName)
    {
        var moved = folderName(e.ResourceId);
        var to = e.Detail("to") is null or FolderInfo.RootId ? "My files" : folderName(e.Detail("to"));
        return (moved, to) switch
        {
            ({ } name, { } destination) => [new("Moved folder "), new(name, true), new(" to "), new(destination, true)],
            ({ } name, null) => [new("Moved folder "), new(name, true)],
            (null, { } destination) => [new("Moved a folder to "), new(destination, true)],
            _ => [new("Moved a folder")],
        };
    }

    private static ActivityPart[] Deleted(AuditEvent e)
    {
        var count = int.TryParse(e.Detail("items"), out var items) ? items : 0;
        ActivityPart[] sentence = [new("Moved folder "), Name(e.Detail("name")), new(" to the trash")];
        return count switch
        {
            0 => sentence,
            1 => [.. sentence, new(" with 1 item inside")],
            _ => [.. sentence, new($" with {count} items inside")],
        };
    }

    private static ActivityPart Name(string? name) => new(name ?? "(unnamed)", true);

    private static string Origin(AuditEvent e) => (e.IpAddress, e.UserAgent) switch
    {
        (null, null) => "",
        ({ } ip, null) => $" from {ip}",
        (null, { } agent) => $" on {UserAgents.Describe(agent)}",
        ({ } ip, { } agent) => $" from {ip}, {UserAgents.Describe(agent)}",
    };

    private static string Humanize(string action)
    {
        var words = action.Replace('.', ' ').Replace('-', ' ').Replace('_', ' ').Trim();
        return words.Length == 0 ? "Something happened" : char.ToUpperInvariant(words[0]) + words[1..];
    }
}

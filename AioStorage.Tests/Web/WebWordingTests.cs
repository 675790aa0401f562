using AioStorage.Web.Api;
using AioStorage.Web.Auth;
using AioStorage.Web.Components.Account;
using AioStorage.Web.Components.Drive;

namespace AioStorage.Tests.Web;

/// <summary>The small pure rules behind the pages: names, devices, activity sentences, return addresses.</summary>
public sealed class WebWordingTests
{
    [Theory]
    [InlineData("Photos", null)]
    [InlineData("  Photos 2026  ", null)]
    [InlineData("a.", null)]
    [InlineData("", "Enter a name.")]
    [InlineData("   ", "Enter a name.")]
    [InlineData(".", "A name cannot be “.” or “..”.")]
    [InlineData(" .. ", "A name cannot be “.” or “..”.")]
    [InlineData("a/b", "A name cannot contain / or \\.")]
    [InlineData("a\\b", "A name cannot contain / or \\.")]
    [InlineData("tab\there", "A name cannot contain control characters such as tabs or line breaks.")]
    [InlineData("nul\0", "A name cannot contain control characters such as tabs or line breaks.")]
    [InlineData("line\u2028break", "A name cannot contain control characters such as tabs or line breaks.")]
    public void Names_follow_the_apis_rules(string name, string? problem) => Assert.Equal(problem, ItemNames.Problem(name));

    [Fact]
    public void Names_are_measured_in_utf8_bytes()
    {
        Assert.Null(ItemNames.Problem(new string('a', 255)));
        Assert.Null(ItemNames.Problem(new string('é', 127)));
        Assert.Equal("This name is too long: 256 bytes, at most 255 (accented letters and emoji take more than one).", ItemNames.Problem(new string('é', 128)));
    }

    [Theory]
    [InlineData("report.final.pdf", false, 12)]
    [InlineData(".bashrc", false, 7)]
    [InlineData("archive.tar", true, 11)]
    [InlineData("README", false, 6)]
    public void Renaming_selects_a_files_stem_and_a_folders_whole_name(string name, bool isFolder, int selected) =>
        Assert.Equal(selected, ItemNames.StemLength(name, isFolder));

    [Theory]
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0", "Firefox on Windows")]
    [InlineData("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36", "Chrome on Linux")]
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0", "Edge on Windows")]
    [InlineData("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15", "Safari on macOS")]
    [InlineData("Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1", "Safari on iOS")]
    [InlineData("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36", "Chrome on Android")]
    [InlineData("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36", "Chrome (headless) on Linux")]
    [InlineData("curl/8.5.0", "curl")]
    [InlineData(null, "Unknown device")]
    [InlineData("", "Unknown device")]
    public void Devices_are_named_as_people_know_them(string? userAgent, string expected) =>
        Assert.Equal(expected, UserAgents.Describe(userAgent));

    [Fact]
    public void Phones_are_told_from_computers()
    {
        Assert.True(UserAgents.IsMobile("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/130.0.0.0 Mobile Safari/537.36"));
        Assert.False(UserAgents.IsMobile("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"));
    }

    private static AuditEvent Event(string action, Dictionary<string, string>? details = null, string? resourceId = "f1",
        string? ip = "192.0.2.7", string? agent = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0") =>
        new("e1", action, resourceId, details ?? [], ip, agent, DateTimeOffset.UnixEpoch);

    [Fact]
    public void Activity_reads_as_sentences()
    {
        static string? NoNames(string? id) => null;
        Assert.Equal("Signed in from 192.0.2.7, Firefox on Linux", ActivityText.Describe(Event("auth.signin"), NoNames).Text);
        Assert.Equal("Signed in", ActivityText.Describe(Event("auth.signin", ip: null, agent: null), NoNames).Text);
        Assert.True(ActivityText.Describe(Event("auth.signin-failed"), NoNames).IsWarning);
        Assert.Equal("Created folder Photos", ActivityText.Describe(Event("folder.create", new() { ["name"] = "Photos" }), NoNames).Text);
        Assert.Equal("Renamed folder Photos to Pictures",
            ActivityText.Describe(Event("folder.rename", new() { ["name"] = "Pictures", ["previousName"] = "Photos" }), NoNames).Text);
        Assert.Equal("Moved folder Old to the trash with 3 items inside",
            ActivityText.Describe(Event("folder.delete", new() { ["name"] = "Old", ["items"] = "3" }), NoNames).Text);
        Assert.Equal("Moved folder Old to the trash", ActivityText.Describe(Event("folder.delete", new() { ["name"] = "Old", ["items"] = "0" }), NoNames).Text);
        Assert.Equal("File upload", ActivityText.Describe(Event("file.upload"), NoNames).Text);
    }

    [Fact]
    public void A_move_names_its_folders_when_they_are_known()
    {
        var move = Event("folder.move", new() { ["from"] = "root", ["to"] = "f2" });
        Assert.Equal(["f1", "f2"], ActivityText.FolderIdsToName(move));
        Assert.Equal("Moved folder Photos to Archive", ActivityText.Describe(move, id => id switch { "f1" => "Photos", "f2" => "Archive", _ => null }).Text);
        Assert.Equal("Moved a folder", ActivityText.Describe(move, _ => null).Text);

        var toRoot = Event("folder.move", new() { ["from"] = "f2", ["to"] = "root" });
        Assert.Equal(["f1"], ActivityText.FolderIdsToName(toRoot));
        Assert.Equal("Moved a folder to My files", ActivityText.Describe(toRoot, _ => null).Text);
    }

    [Theory]
    [InlineData("files/abc", "files/abc")]
    [InlineData("/files/abc?sort=name&order=desc", "files/abc?sort=name&order=desc")]
    [InlineData("account", "account")]
    [InlineData(null, "files")]
    [InlineData("", "files")]
    [InlineData("/", "files")]
    [InlineData("//evil.example/phish", "files")]
    [InlineData("/\\evil.example", "files")]
    [InlineData("https://evil.example/", "files")]
    [InlineData("javascript:alert(1)", "files")]
    [InlineData("http://drive.example:3000.evil.example/", "files")]
    public void Sign_in_only_returns_to_this_site(string? returnUrl, string expected) =>
        Assert.Equal(expected, ReturnUrls.Local(returnUrl, "http://drive.example:3000/", fallback: "files"));
}

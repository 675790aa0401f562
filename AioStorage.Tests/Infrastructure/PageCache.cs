namespace AioStorage.Tests.Infrastructure;

/// <summary>What of a file the kernel holds in its page cache, as util-linux's <c>fincore</c> counts it.</summary>
internal static class PageCache
{
    public static async Task<long> ResidentBytesAsync(string path)
    {
        var (exit, stdout, stderr) = await ChildProcess.RunAsync("fincore", ["--bytes", "--noheadings", "--output", "RES", path]);
        Assert.True(exit == 0, stderr);
        return long.Parse(stdout.Trim());
    }
}

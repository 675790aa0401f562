namespace AioStorage.Tests.Web;

/// <summary>Waits for something outside the page (requests sent, the api's records) the way Expect waits for the page.</summary>
internal static class Eventually
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    public static Task TrueAsync(Func<bool> condition, string what) => TrueAsync(() => Task.FromResult(condition()), what);

    public static async Task TrueAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Still not true after {Timeout.TotalSeconds:0} s: {what}");
            }

            await Task.Delay(100);
        }
    }
}

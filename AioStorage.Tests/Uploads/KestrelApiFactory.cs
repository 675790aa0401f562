using AioStorage.Tests.Api;

namespace AioStorage.Tests.Uploads;

/// <summary>
/// The api on a real Kestrel port on the loopback address: reachable by a child process (a Node tus client), and with
/// real sockets, so a client that drops its connection mid-body is seen by the server as it would be in production.
/// Call <c>StartServer()</c> before <c>CreateClient()</c>.
/// </summary>
public sealed class KestrelApiFactory : ApiFactory
{
    public KestrelApiFactory()
        : base(new Dictionary<string, string?> { ["urls"] = "http://127.0.0.1:0" })
        => UseKestrel(0);
}

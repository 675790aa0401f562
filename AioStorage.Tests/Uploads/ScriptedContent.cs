using System.Net;
using System.Net.Http.Headers;

namespace AioStorage.Tests.Uploads;

/// <summary>
/// A PATCH body sent in two parts with the test in between: it writes <c>pauseAt</c> bytes, runs the test's hook (wait
/// for the server to store them, wait for a gate), then either sends the rest or breaks off as a dropped connection does.
/// Breaking off cancels the request as well: the in-memory test server only learns that a client went away from the
/// request's cancellation, as Kestrel does from a closed socket.
/// </summary>
internal sealed class ScriptedContent : HttpContent
{
    private readonly byte[] _bytes;
    private readonly int _pauseAt;
    private readonly Func<Task> _atPause;
    private readonly CancellationTokenSource? _connection;
    private readonly bool _declareLength;

    private ScriptedContent(byte[] bytes, int pauseAt, Func<Task> atPause, CancellationTokenSource? connection, bool declareLength)
    {
        _bytes = bytes;
        _pauseAt = pauseAt;
        _atPause = atPause;
        _connection = connection;
        _declareLength = declareLength;
        Headers.ContentType = new MediaTypeHeaderValue(Tus.OffsetOctetStream);
    }

    /// <summary>
    /// Declares all of <paramref name="bytes"/> in Content-Length but breaks off after <paramref name="breakAfter"/>,
    /// cancelling <paramref name="connection"/>, the token the request was sent with.
    /// </summary>
    public static ScriptedContent BreakingOff(byte[] bytes, int breakAfter, Func<Task> beforeBreaking, CancellationTokenSource connection)
        => new(bytes, breakAfter, beforeBreaking, connection, true);

    /// <summary>Sends <paramref name="pauseAt"/> bytes, waits for <paramref name="gate"/>, then the rest.</summary>
    public static ScriptedContent Pausing(byte[] bytes, int pauseAt, Func<Task> gate) => new(bytes, pauseAt, gate, null, true);

    /// <summary>All of <paramref name="bytes"/>, chunked, with no Content-Length for the server to check first.</summary>
    public static ScriptedContent WithoutLength(byte[] bytes) => new(bytes, bytes.Length, () => Task.CompletedTask, null, false);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        await stream.WriteAsync(_bytes.AsMemory(0, _pauseAt));
        await stream.FlushAsync();
        await _atPause();
        if (_connection is not null)
        {
            await _connection.CancelAsync();
            throw new IOException("The connection dropped (simulated by the test).");
        }

        await stream.WriteAsync(_bytes.AsMemory(_pauseAt));
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _bytes.Length;
        return _declareLength;
    }
}

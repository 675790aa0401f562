using System.Diagnostics;
using System.Text;

namespace AioStorage.Tests.Infrastructure;

/// <summary>
/// The MongoDB wire-protocol emulator of <c>tests/mongo-emulator/</c> (python3-mockupdb + python3-mongomock) in a
/// child process on a free port. Starting it fails, with what to install, when the packages are missing: the MongoDB
/// store must not pass a run that never exercised it.
/// </summary>
public sealed class MongoEmulator : IAsyncDisposable
{
    /// <summary>Debian's interpreter, which sees the apt packages; a pyenv python3 earlier on PATH does not.</summary>
    public const string DebianPython = "/usr/bin/python3";

    private const string InstallHint =
        "The MongoDB emulator needs Debian's python3-mockupdb and python3-mongomock under /usr/bin/python3: " +
        "run scripts/install-deps.sh test (or apt-get install python3-mockupdb python3-mongomock).";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);

    private readonly Process _process;
    private readonly StringBuilder _stderr;

    private MongoEmulator(Process process, StringBuilder stderr, int port)
    {
        _process = process;
        _stderr = stderr;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Short timeouts, so that a fault in the emulator shows as a failing test rather than a hanging one.</summary>
    public string ConnectionString =>
        $"mongodb://127.0.0.1:{Port}/?directConnection=true&serverSelectionTimeoutMS=5000&connectTimeoutMS=5000&socketTimeoutMS=10000";

    public static async Task<MongoEmulator> StartAsync(string interpreter = DebianPython)
    {
        if (!File.Exists(interpreter))
        {
            throw new InvalidOperationException($"{interpreter} does not exist. {InstallHint}");
        }

        var script = FindScript();
        var process = new Process
        {
            StartInfo = new ProcessStartInfo(interpreter)
            {
                ArgumentList = { script, "--port", "0" },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            },
        };
        var stderr = new StringBuilder();
        var ready = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                ready.TrySetException(new InvalidOperationException("the emulator closed its output before READY"));
            }
            else if (e.Data.StartsWith("READY ", StringComparison.Ordinal) && int.TryParse(e.Data.AsSpan(6), out var port))
            {
                ready.TrySetResult(port);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (stderr)
            {
                // Enough to explain a failed start; an emulator that keeps writing tracebacks must not grow this unbounded.
                if (e.Data is not null && stderr.Length < 64 * 1024)
                {
                    stderr.AppendLine(e.Data);
                }
            }
        };

        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var port = await ready.Task.WaitAsync(StartTimeout);
            return new MongoEmulator(process, stderr, port);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            await StopAsync(process);
            string output;
            lock (stderr)
            {
                output = stderr.ToString().Trim();
            }

            process.Dispose();
            var missingPackage = output.Contains("No module named", StringComparison.Ordinal) ? $" {InstallHint}" : string.Empty;
            throw new InvalidOperationException(
                $"The MongoDB emulator ({interpreter} {script}) did not report READY: {ex.Message}.{missingPackage}" +
                (output.Length > 0 ? $"\nIts stderr:\n{output}" : string.Empty) +
                (missingPackage.Length == 0 ? $"\n{InstallHint}" : string.Empty));
        }
    }

    /// <summary>What the emulator wrote to stderr so far (tracebacks of requests it could not handle).</summary>
    public string Errors
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(_process);
        _process.Dispose();
    }

    private static async Task StopAsync(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            return;
        }

        await process.WaitForExitAsync();
    }

    private static string FindScript()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "tests", "mongo-emulator", "mongo_emulator.py");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"tests/mongo-emulator/mongo_emulator.py was not found above {AppContext.BaseDirectory}.");
    }
}

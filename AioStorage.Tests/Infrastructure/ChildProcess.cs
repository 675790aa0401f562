using System.Diagnostics;

namespace AioStorage.Tests.Infrastructure;

/// <summary>Runs a program with arguments (never through a shell) and collects its exit code and output.</summary>
internal static class ChildProcess
{
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string program, IEnumerable<string> args,
        string? workingDirectory = null, TimeSpan? timeout = null, Action<ProcessStartInfo>? configure = null)
    {
        var startInfo = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workingDirectory is not null)
        {
            startInfo.WorkingDirectory = workingDirectory;
        }

        configure?.Invoke(startInfo);

        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        using var process = Process.Start(startInfo)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(timeout ?? TimeSpan.FromMinutes(1));
        return (process.ExitCode, await stdout, await stderr);
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace AuthApp.Bench.Scheduler;

/// <summary>
/// A <see cref="BenchWorker"/> in a child process of its own (this executable with <c>worker</c>), so that its
/// memory is measured without the emulator's, with server GC as the worker runs (Web SDK). Commands go in on stdin,
/// one JSON result per line comes back on stdout; the child's logs go to stderr.
/// </summary>
internal sealed class WorkerProcess : IBenchWorker
{
    private readonly Process _process;

    private WorkerProcess(Process process) => _process = process;

    public static async Task<WorkerProcess> StartAsync(string databaseHost, string redisConnection, WorkerSettings settings)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            start.ArgumentList.Add(typeof(WorkerProcess).Assembly.Location);
        }

        foreach (var argument in (string[])["worker", databaseHost, redisConnection, .. settings.ToArgs()])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_gcServer"] = "1";
        var process = Process.Start(start) ?? throw new InvalidOperationException("The worker process did not start.");
        var ready = await process.StandardOutput.ReadLineAsync();
        if (ready != "ready")
        {
            throw new InvalidOperationException($"The worker process did not start: {ready}");
        }

        return new WorkerProcess(process);
    }

    public Task<PhaseResult> RebuildAsync(DateTimeOffset now) => SendAsync("rebuild", now);

    public Task<PhaseResult> FireAsync(DateTimeOffset now) => SendAsync("fire", now);

    private async Task<PhaseResult> SendAsync(string command, DateTimeOffset now)
    {
        await _process.StandardInput.WriteLineAsync($"{command} {now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}");
        await _process.StandardInput.FlushAsync();
        var line = await _process.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("The worker process ended.");
        return JsonSerializer.Deserialize<PhaseResult>(line) ?? throw new InvalidOperationException($"Unreadable result: {line}");
    }

    public async ValueTask DisposeAsync()
    {
        await _process.StandardInput.WriteLineAsync("exit");
        await _process.StandardInput.FlushAsync();
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        _process.Dispose();
    }

    /// <summary>The child's side: serves commands until "exit".</summary>
    public static async Task ServeAsync(string databaseHost, string redisConnection, WorkerSettings settings)
    {
        await using var worker = await BenchWorker.StartAsync(databaseHost, redisConnection, settings);
        Console.Out.WriteLine("ready");
        Console.Out.Flush();
        while (await Console.In.ReadLineAsync() is { } line && line != "exit")
        {
            var parts = line.Split(' ');
            var now = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(parts[1], CultureInfo.InvariantCulture));
            // Each phase from a clean heap (in one process with the emulator, the bench collects for both).
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var result = parts[0] == "rebuild" ? await worker.RebuildAsync(now) : await worker.FireAsync(now);
            Console.Out.WriteLine(JsonSerializer.Serialize(result));
            Console.Out.Flush();
        }
    }
}

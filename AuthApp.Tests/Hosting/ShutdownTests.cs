using System.Diagnostics;
using AuthApp.Tests.Infrastructure;

namespace AuthApp.Tests.Hosting;

public sealed class ShutdownTests
{
    [Fact]
    public async Task Stopping_the_app_host_leaves_no_resource_process_behind()
    {
        var cancellation = TestContext.Current.CancellationToken;
        var app = await AuthAppHost.StartAsync(cancellation, emulatorSettingsFile: "");
        List<int> pids;
        try
        {
            pids = [];
            foreach (var name in AuthAppHost.Resources)
            {
                pids.AddRange((await app.InstancesAsync(name, cancellation)).Select(ProcessIdOf));
            }

            Assert.All(pids, pid => Assert.True(IsRunning(pid), $"process {pid} should be running"));
        }
        finally
        {
            await app.StopAsync(cancellation);
            await app.DisposeAsync();
        }

        // DCP stops its processes asynchronously after the AppHost returns; give it a bounded grace period.
        var deadline = Stopwatch.StartNew();
        while (pids.Any(IsRunning) && deadline.Elapsed < TimeSpan.FromSeconds(45))
        {
            await Task.Delay(500, cancellation);
        }

        Assert.DoesNotContain(pids, IsRunning);
    }

    private static int ProcessIdOf(ResourceEvent state)
    {
        var resource = state.ResourceId;
        var pid = state.Snapshot.Properties.SingleOrDefault(property => property.Name == "executable.pid")?.Value;
        Assert.True(pid is not null, $"{resource} has no pid: {string.Join(", ", state.Snapshot.Properties.Select(p => p.Name))}");
        return Convert.ToInt32(pid, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}

using System.Diagnostics;
using AuthApp.Tests.Infrastructure;

namespace AuthApp.Tests.System;

public sealed class ShutdownTests
{
    [Fact]
    public async Task Stopping_the_app_host_leaves_no_resource_process_behind()
    {
        var cancellation = TestContext.Current.CancellationToken;
        var app = await AuthAppHost.StartAsync(cancellation);
        List<int> pids;
        try
        {
            var instances = await AuthAppHost.InstancesAsync(app, cancellation);
            Assert.Equal(AuthAppHost.Resources.Order(), instances.Select(instance => instance.Resource.Name).Distinct().Order());
            pids = instances.Select(ProcessIdOf).ToList();
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
        return Convert.ToInt32(pid, global::System.Globalization.CultureInfo.InvariantCulture);
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

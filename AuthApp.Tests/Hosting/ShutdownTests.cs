using AuthApp.Tests.Infrastructure;

namespace AuthApp.Tests.Hosting;

/// <summary>Stops the AppHost the other tests shared, after all of them (<see cref="ShutdownLast"/>).</summary>
[Collection(ShutdownLast.CollectionName)]
public sealed class ShutdownTests(AppHostFixture host)
{
    /// <summary>DCP stops its processes asynchronously after the AppHost returns.</summary>
    private static readonly TimeSpan StopGracePeriod = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task Stopping_the_app_host_leaves_no_resource_process_behind()
    {
        var cancellation = TestContext.Current.CancellationToken;
        List<int> pids = [];
        foreach (var name in AuthAppHost.Resources)
        {
            pids.AddRange((await host.App.InstancesAsync(name, cancellation)).Select(ProcessIdOf));
        }

        Assert.Equal(AuthAppHost.Resources.Length + 2, pids.Count); // two replicas each of the API and the scheduler
        Assert.All(pids, pid => Assert.True(LocalProcesses.IsRunning(pid), $"process {pid} should be running"));

        await host.StopAsync(cancellation);

        await Eventually.TrueAsync(() => !pids.Any(LocalProcesses.IsRunning),
            () => $"still running after the AppHost stopped: {string.Join(", ", pids.Where(LocalProcesses.IsRunning))}", StopGracePeriod);
    }

    private static int ProcessIdOf(ResourceEvent state)
    {
        var resource = state.ResourceId;
        var pid = state.Snapshot.Properties.SingleOrDefault(property => property.Name == "executable.pid")?.Value;
        Assert.True(pid is not null, $"{resource} has no pid: {string.Join(", ", state.Snapshot.Properties.Select(p => p.Name))}");
        return Convert.ToInt32(pid, System.Globalization.CultureInfo.InvariantCulture);
    }
}

using System.Text.Json.Nodes;
using AuthApp.Tests.Infrastructure;

namespace AuthApp.Tests.Hosting;

/// <summary>Replicas of the API never share a log file, and every line says which replica wrote it.</summary>
public sealed class ReplicaLogTests(AppHostFixture host)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_replica_writes_its_own_log_file_and_every_line_carries_its_service_instance_id()
    {
        // As the AppHost tells a replica its index and OpenTelemetry id.
        await using var api = await ApiProcess.StartAsync(host, new Dictionary<string, string>
        {
            ["ServiceInstance__Replica"] = "7",
            ["OTEL_RESOURCE_ATTRIBUTES"] = "service.instance.id=replica-log-test",
        }, Cancellation);

        var file = Path.Combine(api.LogDirectory, "app-7.log");
        await Eventually.TrueAsync(() => Task.FromResult(File.Exists(file) && new FileInfo(file).Length > 0), $"no {file}:\n{api.Output}");
        Assert.False(File.Exists(Path.Combine(api.LogDirectory, "app.log")), "the replica also wrote the shared file");

        await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        var lines = (await reader.ReadToEndAsync(Cancellation)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        Assert.All(lines, line => Assert.Equal("replica-log-test", (string?)JsonNode.Parse(line)?["ServiceInstanceId"]));
    }
}

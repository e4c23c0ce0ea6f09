using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace AuthApp.Api.Tests.Telemetry;

/// <summary>
/// A replica applying another replica's eviction (FusionCache's "receive from backplane") is background chatter: a
/// trace per write per replica. The services' sampler leaves it out; the write's own trace keeps its publish.
/// </summary>
public sealed class IdleTracingTests(ApiDependencies dependencies)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_replica_applying_another_replicas_eviction_records_no_trace_while_the_write_traces_its_publish()
    {
        var spans = new ConcurrentQueue<Activity>();
        // Sees what the API's own tracer provider records; spans of every host in the process reach it.
        await using var first = new ApiFactory(dependencies)
        {
            ExtraServices = services => services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddProcessor(new Collector(spans))),
        };
        using var user = await first.SignUpAsync();
        await user.AddDeviceAsync("Den", "Lamp");
        await using var second = first.Replica();
        using var onSecond = second.CreateClient(user.IdToken);
        Assert.Equal("off", await LampAsync(onSecond));

        using var write = await user.Client.PostAsJsonAsync("/auth/device_state", new { venue = "Den", device = "Lamp", value = "on" }, Cancellation);
        Assert.Equal(HttpStatusCode.OK, write.StatusCode);
        // The second replica forgot its cached profile: it received the eviction.
        await Eventually.TrueAsync(async () => await LampAsync(onSecond) == "on", "the second replica saw the write", TimeSpan.FromSeconds(10));

        bool AboutUser(Activity span) => span.TagObjects.Any(tag => tag.Value is string text && text.Contains(user.Uid, StringComparison.Ordinal));
        Assert.Contains(spans, span => span.OperationName == "publish to backplane" && AboutUser(span));
        Assert.DoesNotContain(spans, span => span.OperationName == "receive from backplane" && AboutUser(span));
    }

    private static async Task<string?> LampAsync(HttpClient client)
    {
        var profile = await client.GetFromJsonAsync<JsonObject>("/auth/profile", Cancellation);
        return (string?)profile?["venues"]?["Den"]?["Lamp"];
    }

    private sealed class Collector(ConcurrentQueue<Activity> spans) : BaseProcessor<Activity>
    {
        public override void OnEnd(Activity activity) => spans.Enqueue(activity);
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using OpenTelemetry;
using OpenTelemetry.Trace;
using ZiggyCreatures.Caching.Fusion;

namespace AuthApp.Api.Tests.Telemetry;

/// <summary>
/// Redis commands are not traced one by one (that cost a sixth of a device write's CPU, see bench/README); what the
/// cache does over the network is traced by the cache itself, in the trace of the request that caused it. (Whether
/// per-command spans are off is not asserted here: that instrumentation exports them on a timer, seconds later, so
/// their absence within a test proves nothing.)
/// </summary>
public sealed class CacheTracingTests(ApiDependencies dependencies)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_device_writes_trace_shows_the_cache_eviction_in_redis_and_its_broadcast_to_the_replicas()
    {
        var spans = new ConcurrentQueue<Activity>();
        await using var api = new ApiFactory(dependencies)
        {
            // Sees exactly what the API's own tracer provider samples, as its exporter would.
            ExtraServices = services => services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddProcessor(new Collector(spans))),
        };
        using var user = await api.SignUpAsync();
        await user.AddDeviceAsync("Den", "Lamp");

        var trace = ActivityTraceId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/auth/device_state")
        {
            Content = JsonContent.Create(new { venue = "Den", device = "Lamp", value = "on" }),
        };
        request.Headers.Add("traceparent", $"00-{trace}-{ActivitySpanId.CreateRandom()}-01");
        using var response = await user.Client.SendAsync(request, Cancellation);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        string[] sources = [FusionCacheDiagnostics.ActivitySourceNameDistributedLevel, FusionCacheDiagnostics.ActivitySourceNameBackplane];
        bool InTrace(string source) => spans.Any(span => span.TraceId == trace && span.Source.Name == source);
        // The eviction's Redis work runs in the background, after the answer: wait for its spans.
        await Eventually.TrueAsync(() => Task.FromResult(sources.All(InTrace)),
            () => $"the request's trace has spans from {string.Join(", ", spans.Where(span => span.TraceId == trace).Select(span => span.Source.Name).Distinct())}; expected {string.Join(" and ", sources)}",
            TimeSpan.FromSeconds(10));
    }

    private sealed class Collector(ConcurrentQueue<Activity> spans) : BaseProcessor<Activity>
    {
        public override void OnEnd(Activity activity) => spans.Enqueue(activity);
    }
}

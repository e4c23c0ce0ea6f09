using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using AuthApp.Scheduler.Tests.Infrastructure;
using AuthApp.ServiceDefaults.Telemetry;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace AuthApp.Scheduler.Tests;

/// <summary>
/// What the fault notifier leaves in the traces, through the services' own sampler: nothing for a page that finds no
/// one to notify (its reads of every user included), a trace of its own for each notification. Listens to every span
/// of the process, so it runs with the other tracing tests, alone.
/// </summary>
[Collection(nameof(CycleTracingTests))]
public sealed class FaultTracingTests(RedisServerFixture redis, DatabaseEmulatorFixture emulator)
{
    private static readonly DateTimeOffset Now = new(2026, 6, 15, 12, 0, 0, TimeSpan.Zero);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_fault_page_with_nothing_to_notify_records_no_span_and_each_notification_is_a_trace_of_its_own()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var tracing = Sdk.CreateTracerProviderBuilder()
            .SetSampler(new IdleWorkSampler())
            .AddSource(SchedulerTelemetry.Name, WorkQueueExtensions.TelemetryName, "System.Net.Http")
            .AddProcessor(new Collector(spans))
            .Build();
        await using var harness = await SchedulerHarness.StartAsync(redis, emulator, Now);
        await harness.AddUserAsync("quiet", time: null);
        await harness.AddUserAsync("faulty", time: null);
        spans.Clear(); // the test's own writes

        Assert.Equal(0, await harness.Faults.RunPageAsync(Cancellation));
        Assert.True(spans.IsEmpty, $"an idle page recorded {string.Join(", ", spans.Select(span => span.DisplayName))}");

        await harness.Database.SetAsync("users/faulty/venues/kitchen/faults", JsonValue.Create("Smoke"), Cancellation);
        spans.Clear();
        Assert.Equal(1, await harness.Faults.RunPageAsync(Cancellation));

        var notification = Assert.Single(spans, span => span.OperationName == "fault notification");
        Assert.Equal(default, notification.ParentSpanId);
        // The push's enqueue and the notice's database write are in it; the look (listing, reads of both users) is not.
        Assert.All(spans, span => Assert.Equal(notification.TraceId, span.TraceId));
        Assert.Contains(spans, span => span.Source.Name == WorkQueueExtensions.TelemetryName && span.ParentSpanId == notification.SpanId);
        Assert.Contains(spans, span => span.Kind == ActivityKind.Client && span.ParentSpanId == notification.SpanId);
        Assert.DoesNotContain(spans, span => span.Kind == ActivityKind.Client && span.DisplayName.StartsWith("GET", StringComparison.Ordinal));
    }

    /// <summary>Sees what the provider records (a dropped span never reaches a processor).</summary>
    private sealed class Collector(ConcurrentQueue<Activity> spans) : BaseProcessor<Activity>
    {
        public override void OnEnd(Activity activity) => spans.Enqueue(activity);
    }
}

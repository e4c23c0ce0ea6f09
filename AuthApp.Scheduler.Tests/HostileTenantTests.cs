using System.Globalization;
using System.Text.Json.Nodes;
using AuthApp.Scheduler.Schedules;
using AuthApp.Scheduler.Tests.Infrastructure;
using CsCheck;
using Microsoft.Extensions.Logging;

namespace AuthApp.Scheduler.Tests;

/// <summary>
/// One tenant cannot hurt another. Per case, a hostile tenant's record is written straight into the database (as the
/// admin, for what the rules cannot bound, then field by field with the tenant's own token, as the rules allow) and its
/// schedules are due in the same minute as other tenants' plain ones, sharing their batches (the hostile tenant sorts
/// first or last). Every other tenant must fire exactly once and in the first cycle of the minute; the worker logs no
/// error and no failed batch; a second cycle fires nothing again; the index rebuild completes and the fault notifier
/// gets through the page.
/// </summary>
public sealed class HostileTenantTests(RedisServerFixture redis, DatabaseEmulatorFixture emulator)
{
    private static readonly DateTimeOffset Start = new(2026, 6, 15, 6, 0, 0, TimeSpan.Zero);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private static readonly Gen<HostileCase> Cases = Gen.Select(
            HostileJson.UserRecord(Start.ToUnixTimeSeconds()),
            Gen.Int[1, 5],
            Gen.Bool,
            Gen.Bool)
        .Select((record, others, sortsFirst, clientWrites) => new HostileCase(record, others, sortsFirst, clientWrites));

    [Fact]
    public async Task A_hostile_tenants_stored_data_never_stops_or_delays_another_tenants_schedules()
    {
        // Batches of four and four users read at once: the hostile tenant's entries share batches with the others.
        await using var harness = await SchedulerHarness.StartAsync(redis, emulator, Start,
            options => (options.BatchSize, options.BatchesInFlight, options.ReadParallelism) = (4, 2, 4));
        await emulator.UseProductRulesAsync(harness.Namespace);

        await Cases.SampleAsync(hostile => RunCaseAsync(harness, hostile), iter: PropertyRuns.Iterations(120), threads: 1);
    }

    private async Task RunCaseAsync(SchedulerHarness harness, HostileCase hostile)
    {
        await harness.FlushRedisAsync();
        await harness.Database.DeleteAsync("users", Cancellation);
        harness.Logs.Clear();

        // A fresh minute for every case, two minutes ahead, on the fake clock.
        var now = harness.Clock.GetUtcNow();
        var due = new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerMinute), TimeSpan.Zero).AddMinutes(2);
        var time = due.ToString("HH:mm", CultureInfo.InvariantCulture);

        var others = new List<ScheduleId>();
        for (var i = 0; i < hostile.Others; i++)
        {
            others.Add(await harness.AddUserAsync($"m-tenant{i}", time: time, venue: "hall", device: "lamp"));
        }

        var uid = hostile.SortsFirst ? "a-hostile" : "z-hostile";
        await WriteHostileRecordAsync(harness, uid, hostile);
        foreach (var id in others.Concat(HostileEntries(uid, hostile.Record)))
        {
            await harness.Index.UpsertAsync(id, due);
        }

        harness.Clock.SetUtcNow(due.AddSeconds(1));
        await harness.Runner.RunDueAsync(Cancellation);

        var audit = await harness.AuditAsync();
        var pushes = await harness.QueuedPushesAsync();
        foreach (var id in others)
        {
            Assert.Equal("on", await harness.DeviceAsync(id));
            Assert.Equal(due.AddSeconds(1).ToUnixTimeSeconds(), (long?)await harness.Database.GetAsync($"users/{id.Uid}/schedules/hall/lamp/lastNotified"));
            Assert.Single(audit, entry => entry.Id == id.ToString() && entry.Occurrence == due.ToUnixTimeSeconds() && entry.Outcome == "fired");
            Assert.Single(pushes, push => push.IdempotencyKey == $"schedule:{id}:{due.ToUnixTimeSeconds()}");
        }

        // A minute later nothing of theirs fires again, whatever became of the hostile tenant's entries.
        harness.Clock.Advance(TimeSpan.FromMinutes(1));
        await harness.Runner.RunDueAsync(Cancellation);
        Assert.Equal(others.Count, (await harness.AuditAsync()).Count(entry => others.Any(id => id.ToString() == entry.Id)));

        var rebuilt = await harness.Rebuilder.RebuildAsync(Cancellation);
        Assert.True(rebuilt?.Completed, "the rebuild completes");
        foreach (var id in others)
        {
            Assert.Equal(due.AddDays(1).ToUnixTimeSeconds(), await harness.ScoreAsync(id));
        }

        await harness.Faults.RunPageAsync(Cancellation);

        var logs = harness.Logs.GetSnapshot();
        Assert.DoesNotContain(logs, log => log.Level >= LogLevel.Error);
        Assert.DoesNotContain(logs, log => log.Message.Contains("could not be settled", StringComparison.Ordinal));
    }

    /// <summary>
    /// The record as the admin writes it (whatever the rules would say), made a licensed account; then each field again
    /// as the tenant itself with its own ID token, which the rules accept or refuse field by field.
    /// </summary>
    private async Task WriteHostileRecordAsync(SchedulerHarness harness, string uid, HostileCase hostile)
    {
        var record = (JsonObject)hostile.Record.DeepClone();
        record["verifiedAccess"] = true;
        await harness.Database.SetAsync($"users/{uid}", record, Cancellation);
        if (!hostile.ClientWrites)
        {
            return;
        }

        var token = IdTokens.Unsigned(IdTokens.Claims(DateTimeOffset.UtcNow, uid: uid));
        foreach (var (field, value) in hostile.Record)
        {
            var (status, _) = await emulator.SendAsClientAsync(harness.Namespace, HttpMethod.Put, $"users/{uid}/{field}", token, value?.DeepClone());
            Assert.True((int)status is 200 or 400 or 401, $"a client's write of '{field}' got {(int)status}");
        }
    }

    /// <summary>The hostile tenant's due entries: every venue and device its schedules name (some), and some that do not exist.</summary>
    private static IEnumerable<ScheduleId> HostileEntries(string uid, JsonObject record)
    {
        var named = from venue in AuthApp.Domain.Users.JsonShapes.AsObject(record["schedules"]) ?? []
                    from device in AuthApp.Domain.Users.JsonShapes.AsObject(venue.Value) ?? []
                    let text = $"{uid}/{venue.Key}/{device.Key}"
                    where ScheduleId.TryParse(text, out _)
                    select ScheduleId.TryParse(text, out var id) ? id : default;
        return named.Take(8).Append(new ScheduleId(uid, "nowhere", "nothing")).Append(new ScheduleId(uid, "hall", "lamp"));
    }

    private sealed record HostileCase(JsonObject Record, int Others, bool SortsFirst, bool ClientWrites)
    {
        public override string ToString() => $"{(SortsFirst ? "first" : "last")}, {Others} other(s), client writes {ClientWrites}: {Record.ToJsonString()[..Math.Min(2000, Record.ToJsonString().Length)]}";
    }
}

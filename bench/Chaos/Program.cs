// bench/Chaos: the whole system under a seeded workload and a seeded timeline of faults, then a checker that judges
// what every client was told and what the system holds at the end. See bench/README.md#chaos.
//
//   dotnet run -c Release --project bench/Chaos -- [--duration 10m] [--seed N] [--redis single|cluster] [--tenants N] [--history file.jsonl]
//   (--plan-only: print the seed's fault timeline and stop)
//   dotnet run -c Release --project bench/Chaos -- --self-test      (the checker against fabricated histories that break each invariant)
using AuthApp.Bench.Chaos;
using AuthApp.Bench.Chaos.Checking;
using AuthApp.Bench.Chaos.Faults;
using AuthApp.Bench.Chaos.History;
using AuthApp.Bench.Chaos.Launcher;
using AuthApp.Bench.Chaos.Observation;
using AuthApp.Bench.Chaos.Report;
using AuthApp.Bench.Chaos.Workload;

var options = ChaosOptions.Parse(args);
if (options.SelfTest)
{
    return CheckerSelfTest.Run(Console.Out);
}

var faults = FaultSchedule.Plan(options);
Console.WriteLine($"Faults planned: {string.Join(", ", faults.Select(f => $"{FaultInjector.Name(f.Kind)} at {f.At.TotalSeconds:0} s"))}");
if (options.PlanOnly)
{
    return 0;
}

var clock = TimeProvider.System;
using var interrupted = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; interrupted.Cancel(); };

// 1. The system: Redis, the emulators behind their links, two API replicas, two workers.
await using var system = await ChaosSystem.StartAsync(options, Console.Out, interrupted.Token);

// 2. The history and the run's clock (the seed made the plans: the faults above, the tenants in the workload).
using var history = new HistoryRecorder(clock, options.HistoryPath);
history.Add(new RunStarted(history.StartedAt, options.Seed, options.Redis.ToString().ToLowerInvariant(), options.Duration.TotalSeconds, options.Tenants));

// 3. The run: the workload, the faults on their timeline, and the observer of firings, all at once.
using var observing = CancellationTokenSource.CreateLinkedTokenSource(interrupted.Token);
var observer = new SystemObserver(system.Redis.ConnectionString, system.Database.BaseAddress, ChaosSystem.DatabaseNamespace, history, clock);
var observed = observer.RunAsync(observing.Token);
using var api = new ApiGateway(system.Apis, history);
var injected = new FaultInjector(system, history, clock, Console.Out).RunAsync(faults, interrupted.Token);
await TenantWorkload.RunAsync(options, api, key => Licenses.CreateAsync(system, key, interrupted.Token), history, clock, interrupted.Token);
await injected;

// 4. Settling: until every occurrence asked for has shown up and every deleted account is gone (or a deadline).
await Settling.WaitAsync(history, observer, clock, interrupted.Token);
await observing.CancelAsync();
await observed;
await observer.FinalLookAsync(interrupted.Token);
foreach (var worker in system.Workers)
{
    foreach (var record in WorkerLogs.Read(worker.Name, worker.LogPath))
    {
        history.Add(record);
    }
}

// 5. The verdict: the final state, the checker, the table.
var final = await FinalState.ReadAsync(system.Database.BaseAddress, ChaosSystem.DatabaseNamespace, system.AuthHost, ChaosSystem.ProjectId,
    history.Records.OfType<TenantRecord>().Select(t => t.Uid), system.Redis.ConnectionString, interrupted.Token);
var verdict = new Checker(history.Records, final, CheckerBounds.Default).Judge();
foreach (var violation in verdict.Violations)
{
    history.Add(new ViolationRecord(violation.Invariant, violation.Evidence, violation.AtMs));
}

ResultTable.Write(Console.Out, history.Records.OfType<RunStarted>().Single(), history.Records, verdict);
Console.WriteLine($"History: {history.Path} ({history.Records.Count:N0} records); logs: {Path.Combine(system.RunDirectory, "logs")}");
return verdict.Passed ? 0 : 1;

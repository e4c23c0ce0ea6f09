var builder = DistributedApplication.CreateBuilder(args);

// A local run's Redis data and both emulators' data live in AuthApp.AppHost/.data, or none does
// (LocalData:Persist=false).
var localData = builder.GetLocalData();

// Redis: a container where a container runtime exists (and always when publishing),
// Debian's redis-server as a local process where none does. Append-only, for the durable work queue.
var cache = builder.AddCache("cache", localData);

// Firebase: the official Auth emulator and the project's Realtime Database emulator when run locally;
// the real project's settings as parameters when published.
var firebase = builder.AddFirebase(localData);

// Two replicas: rate limits, caches and the schedule index must hold across them (all live in Redis).
// The only service reached from outside, through an ingress whose network ops name.
builder.AddProject<Projects.AuthApp_Api>("api")
    .WithReplicas(2)
    .WithServiceEndpoint(PortSettings.Api, external: true)
    .WithHealthProbes()
    .WithReference(cache).WaitFor(cache)
    .WithFirebase(firebase)
    .WithTrustedProxyNetwork()
    .WithBootstrapCommands(firebase);

// Two replicas too: each schedule occurrence and each queued job must still run exactly once.
// Its HTTP endpoint only answers the orchestrator's probes.
builder.AddProject<Projects.AuthApp_Scheduler>("scheduler")
    .WithReplicas(2)
    .WithServiceEndpoint(PortSettings.Scheduler, external: false)
    .WithHealthProbes()
    .WithReference(cache).WaitFor(cache)
    .WithFirebase(firebase);

builder.Build().Run();

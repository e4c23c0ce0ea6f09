var builder = DistributedApplication.CreateBuilder(args);

// Redis: a container where a container runtime exists (and always when publishing),
// Debian's redis-server as a local process where none does.
var cache = builder.AddCache("cache");

// Firebase: the official Auth emulator and the project's Realtime Database emulator when run locally;
// the real project's settings as parameters when published.
var firebase = builder.AddFirebase();

// Two replicas: rate limits, caches and the schedule index must hold across them (all live in Redis).
builder.AddProject<Projects.AuthApp_Api>("api")
    .WithReplicas(2)
    .WithReference(cache).WaitFor(cache)
    .WithFirebase(firebase)
    .WithHttpHealthCheck("/health");

// Two replicas too: each schedule occurrence and each queued job must still run exactly once.
builder.AddProject<Projects.AuthApp_Scheduler>("scheduler")
    .WithReplicas(2)
    .WithReference(cache).WaitFor(cache)
    .WithFirebase(firebase)
    .WithHttpHealthCheck("/health");

builder.Build().Run();

var builder = DistributedApplication.CreateBuilder(args);

// Redis: a container where a container runtime exists (and always when publishing),
// Debian's redis-server as a local process where none does.
var cache = builder.AddCache("cache");

// Firebase: the official Auth emulator when run locally; project settings as parameters when published.
var firebase = builder.AddFirebase();

builder.AddProject<Projects.AuthApp_Api>("api")
    .WithReference(cache).WaitFor(cache)
    .WithFirebase(firebase)
    .WithHttpHealthCheck("/health");

builder.AddProject<Projects.AuthApp_Scheduler>("scheduler")
    .WithReference(cache).WaitFor(cache)
    .WithFirebase(firebase)
    .WithHttpHealthCheck("/health");

builder.Build().Run();

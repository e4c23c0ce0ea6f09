var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
// No Redis spans: the worker polls Redis every second (queue, heartbeats, metrics), and those root spans
// would bury the traces of schedule runs and jobs in the dashboard.
builder.AddRedisClient("cache",
    configureSettings: redis => redis.DisableTracing = true,
    configureOptions: redis => redis.ClientName = builder.Environment.ApplicationName);
builder.AddFirebase();
builder.AddUserCache(); // its database writes evict the users' cached reads on every API replica
builder.AddScheduler();
builder.AddJobHandlers();

var app = builder.Build();

// The worker serves no traffic of its own; HTTP is only for the orchestrator's probes.
app.MapDefaultEndpoints();

app.Run();

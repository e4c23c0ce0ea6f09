var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddRedisClient("cache", configureOptions: redis => redis.ClientName = builder.Environment.ApplicationName);
builder.AddFirebase();
builder.AddScheduler();
builder.AddJobHandlers();

var app = builder.Build();

// The worker serves no traffic of its own; HTTP is only for the orchestrator's probes.
app.MapDefaultEndpoints();

app.Run();

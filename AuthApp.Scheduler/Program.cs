var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddAuthAppRedis();
builder.AddFirebase();
builder.AddUserCache(); // its database writes evict the users' cached reads on every API replica
builder.AddScheduler();
builder.AddJobHandlers();

var app = builder.Build();

// The worker serves no traffic of its own; HTTP is only for the orchestrator's probes.
app.MapDefaultEndpoints();

app.Run();

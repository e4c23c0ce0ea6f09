using AuthApp.Domain.Changes;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddAuthAppRedis();
builder.AddFirebase();
// Its database writes evict the users' cached reads on every API replica and reach the users' live streams as a
// schedule's doing.
builder.AddUserCache(ChangeSource.Schedule);
builder.AddScheduler();
builder.AddJobHandlers();

var app = builder.Build();

// The worker serves no traffic of its own; HTTP is only for the orchestrator's probes.
app.MapDefaultEndpoints();

app.Run();

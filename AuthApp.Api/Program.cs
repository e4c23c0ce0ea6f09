var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddRedisClient("cache", configureOptions: redis => redis.ClientName = builder.Environment.ApplicationName);

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();

using AuthApp.Api;
using AuthApp.Api.Accounts;
using AuthApp.Api.Errors;
using AuthApp.Api.Events;
using AuthApp.Api.Licenses;
using AuthApp.Api.Monitoring;
using AuthApp.Api.Schedules;
using AuthApp.Api.Venues;
using AuthApp.Api.Voice;

// The way to the first account: `dotnet run --project AuthApp.Api -- create-license | grant-admin <email>`.
if (AdminCommand.IsCommand(args))
{
    return await AdminCommand.RunAsync(args);
}

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddAuthAppRedis();
builder.AddFirebase();
builder.AddRollingFileLog();
builder.AddAuthAppProblems();
builder.AddAuthAppSecurity();
builder.AddAuthAppCaching();
builder.AddAuthAppRateLimiting();
builder.AddAuthAppWeb();
builder.AddApplicationServices();
builder.AddLiveEvents();

var app = builder.Build();

app.UseAuthAppForwardedHeaders();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseCors();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();

app.MapDefaultEndpoints();
app.MapAuthAppOpenApi();
app.MapAccountEndpoints();
app.MapVenueEndpoints();
app.MapScheduleEndpoints();
app.MapMonitoringEndpoints();
app.MapVoiceEndpoints();
app.MapLicenseEndpoints();
app.MapEventEndpoints();

app.Run();
return 0;

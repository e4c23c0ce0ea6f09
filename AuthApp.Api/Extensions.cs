using System.ComponentModel.DataAnnotations;
using AuthApp.Api.Accounts;
using AuthApp.Api.Licenses;
using AuthApp.Api.Monitoring;
using AuthApp.Api.Schedules;
using AuthApp.Api.Venues;
using AuthApp.Api.Voice;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace Microsoft.Extensions.Hosting;

internal static class Extensions
{
    /// <summary>The API's features: one service per feature, each over the Firebase clients.</summary>
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddUserData();
        builder.AddWorkQueue();
        // Enqueue spans link a request to the job a scheduler replica runs for it.
        builder.AddTracingSources(WorkQueueExtensions.TelemetryName);
        builder.Services.AddSingleton<SignupService>();
        builder.Services.AddSingleton<AccountService>();
        builder.Services.AddSingleton<VenueService>();
        builder.Services.AddSingleton<KnownDevices>();
        builder.Services.AddSingleton<ScheduleService>();
        builder.Services.AddSingleton<MonitoringService>();
        builder.Services.AddSingleton<VoiceService>();

        builder.Services.AddOptions<VoiceOptions>()
            .Bind(builder.Configuration.GetSection(VoiceOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddHttpClient<IVoiceInterpreter, GeminiVoiceInterpreter>().AddGeminiResilience();
        return builder;
    }

    /// <summary>HTTP concerns: request limits, validation, CORS from configuration, OpenAPI.</summary>
    public static IHostApplicationBuilder AddAuthAppWeb(this IHostApplicationBuilder builder)
    {
        // Every request of the contract is a small JSON object.
        builder.Services.Configure<KestrelServerOptions>(kestrel => kestrel.Limits.MaxRequestBodySize = 64 * 1024);
        builder.Services.AddValidation();

        var origins = builder.Configuration.GetSection("Cors:AllowedOrigins").Get<string[]>() ?? [];
        builder.Services.AddCors(cors => cors.AddDefaultPolicy(policy => policy
            .WithOrigins(origins)
            .WithMethods("GET", "POST", "DELETE")
            .WithHeaders("Authorization", "Content-Type")));

        builder.Services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "AuthApp API";
            document.Info.Description = "The smart-home backend's HTTP contract: accounts, venues and devices, schedules, monitoring, voice commands and license keys.";
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes["Bearer"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "Firebase ID token",
            };
            return Task.CompletedTask;
        }));
        return builder;
    }

    /// <summary>The OpenAPI document everywhere (clients generate from it); the interactive reference in Development.</summary>
    public static WebApplication MapAuthAppOpenApi(this WebApplication app)
    {
        app.MapOpenApi();
        if (app.Environment.IsDevelopment())
        {
            app.MapScalarApiReference();
        }

        return app;
    }
}

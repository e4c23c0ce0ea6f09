using AuthApp.Firebase.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AuthApp.Firebase.Messaging;

internal static class MessagingRegistration
{
    public static void AddFirebaseMessaging(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHttpClient(FcmPushSender.HttpClientName).AddFirebaseResilience();
        builder.Services.TryAddSingleton<FcmPushSender>();
        builder.Services.TryAddSingleton<LogPushSender>();
        builder.Services.TryAddSingleton<IPushSender>(services =>
            services.GetRequiredService<IOptions<FirebaseOptions>>().Value.Messaging == MessagingMode.Log
                ? services.GetRequiredService<LogPushSender>()
                : services.GetRequiredService<FcmPushSender>());
    }
}

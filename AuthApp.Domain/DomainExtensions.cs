using AuthApp.Domain.Licenses;
using AuthApp.Domain.Schedules;
using AuthApp.Domain.Users;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.Hosting;

public static class DomainExtensions
{
    /// <summary>The shared model of users' data: record reads, license keys and the due-schedule index (needs Redis and Firebase).</summary>
    public static IHostApplicationBuilder AddUserData(this IHostApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton<UserRecords>();
        builder.Services.TryAddSingleton<DueScheduleIndex>();
        builder.Services.TryAddSingleton<LicenseKeys>();
        return builder;
    }
}

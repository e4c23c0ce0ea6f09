using Microsoft.Extensions.Configuration;

namespace Aspire.Hosting;

/// <summary>
/// What a local run keeps across restarts, behind one switch (<c>LocalData:Persist</c>, default true): Redis (the
/// work queue, its append-only file), the Realtime Database emulator's data and the Auth emulator's accounts, all
/// under <see cref="Directory"/> (<c>LocalData:Path</c>, default <c>AuthApp.AppHost/.data</c>). Either all three
/// survive a restart or none does: accounts without their data, or data without its accounts, is worse than both
/// gone. Nothing here applies to the published manifest, where Redis has its volume and Firebase is the real one.
/// </summary>
internal sealed record LocalData(bool Persist, string Directory)
{
    public string PathOf(string name) => Path.Combine(Directory, name);
}

internal static class LocalDataExtensions
{
    public static LocalData GetLocalData(this IDistributedApplicationBuilder builder)
    {
        var directory = builder.Configuration["LocalData:Path"] is { Length: > 0 } configured
            ? Path.GetFullPath(configured, builder.AppHostDirectory)
            : Path.Combine(builder.AppHostDirectory, ".data");
        return new LocalData(builder.Configuration.GetValue("LocalData:Persist", true), directory);
    }
}

using AuthApp.Domain.Users;

namespace AuthApp.Api.Tests.Accounts;

/// <summary>A key's hold as it is once its reservation time has passed: a test cannot wait ten minutes.</summary>
internal static class LicenseHolds
{
    /// <summary>Every share of the hold on <paramref name="key"/>, and so the hold, lapsed long ago (nothing else may write the key meanwhile).</summary>
    public static async Task LapseHoldAsync(this ApiFactory api, string key)
    {
        foreach (var (attempt, _) in JsonShapes.AsObject(await api.ReadDatabaseAsync($"licenseKeys/{key}/reservedBy")) ?? [])
        {
            await api.WriteDatabaseAsync($"licenseKeys/{key}/reservedBy/{attempt}", 1);
        }

        await api.WriteDatabaseAsync($"licenseKeys/{key}/reservedUntil", 1);
    }
}

using System.Text;
using AuthApp.Bench.Chaos.Launcher;

namespace AuthApp.Bench.Chaos.Workload;

/// <summary>License keys, written as the admin API stores them (<c>licenseKeys/{key}</c>), straight into the database.</summary>
public static class Licenses
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public static async Task CreateAsync(ChaosSystem system, string key, CancellationToken cancellationToken)
    {
        // Past the faulty link: an operator's preparation, not the system under test.
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(system.Database.BaseAddress, $"licenseKeys/{key}.json?ns={ChaosSystem.DatabaseNamespace}"))
        {
            Content = new StringContent("""{"createdAt":1,"revoked":false}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", "owner");
        using var response = await Http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
    }
}

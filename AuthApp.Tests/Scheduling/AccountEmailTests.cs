using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AuthApp.Tests.Infrastructure;

namespace AuthApp.Tests.Scheduling;

/// <summary>
/// The password-reset e-mail crosses processes: the API answers and queues it, a scheduler replica takes the job
/// and asks Auth to send it.
/// </summary>
public sealed class AccountEmailTests(AppHostFixture host)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Password_reset_answers_alike_for_known_and_unknown_accounts_and_the_worker_mails_the_known()
    {
        using var user = await host.SignUpAsync();
        using var client = host.CreateApiClient();

        using var known = await client.PostAsJsonAsync("/auth/password_reset", new { email = user.Email }, Cancellation);
        using var unknown = await client.PostAsJsonAsync("/auth/password_reset", new { email = ApiUsers.NewEmail() }, Cancellation);

        Assert.Equal(HttpStatusCode.OK, known.StatusCode);
        Assert.Equal(HttpStatusCode.OK, unknown.StatusCode);
        Assert.Equal(await known.Content.ReadAsStringAsync(Cancellation), await unknown.Content.ReadAsStringAsync(Cancellation));
        await Eventually.TrueAsync(async () => (await AuthEmulatorFixture.GetOobCodesAsync(host.AuthEmulatorHost))
                .Any(code => (string?)code?["email"] == user.Email && (string?)code?["requestType"] == "PASSWORD_RESET"),
            "no password-reset code was issued for the known account");
    }
}

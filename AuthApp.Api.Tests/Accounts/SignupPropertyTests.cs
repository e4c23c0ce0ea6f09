using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AuthApp.Domain.Users;
using CsCheck;
using Microsoft.Extensions.Logging;

namespace AuthApp.Api.Tests.Accounts;

/// <summary>
/// One license key, one account, under any interleaving. Each case sends a few signups at once for one fresh key:
/// fresh e-mails (the same one twice, or two), the e-mail of a finished account and of an unfinished one (an account
/// without a record), right, other and weak passwords, with Auth or the database failing at chosen steps (a request
/// refused, or its answer lost after the server acted). Then every failed request is sent again with the faults off.
/// Each case asserts: every answer fits its request, none is a 500 (a 503 only when a fault was injected, always with
/// <c>Retry-After</c>); at most one account is licensed with the key (its record has <c>accessKey</c> = the key and
/// <c>verifiedAccess: true</c>), it is the key's <c>usedBy</c>, and it is the uid of every 200; nothing is logged at
/// Error; after the retries exactly one account is licensed if any request could succeed on its own (after the hold
/// lapses, if a failed release left a share of it behind), and a finished signup sent again answers the same uid.
/// <para>
/// In the suite it runs <see cref="SuiteRounds"/> cases; for the long run set CsCheck's own variables:
/// <c>CsCheck_Iter=1000</c> (and <c>CsCheck_Seed</c> to start from a given seed; the seed of a run is written to the
/// test output, and a failing case's own seed is in the failure).
/// </para>
/// </summary>
public sealed class SignupPropertyTests(ApiDependencies dependencies) : IAsyncLifetime
{
    private const int SuiteRounds = 40;

    private const string RightPassword = "right-password-1";

    /// <summary>
    /// Polly's own telemetry logs the last failed attempt of a request at Error: that is the injected fault, which the
    /// API answers 503 and logs at Warning, not an error of the API.
    /// </summary>
    private const string PollyCategory = "Polly";

    private static readonly Gen<Case> Cases = Gen.Select(
        Gen.Select(Gen.Enum<Mail>(), Gen.Enum<Secret>(), (mail, secret) => new Attempt(mail, secret)).Array[2, 4],
        Gen.Select(Gen.Enum<Step>(), Gen.Bool, Gen.Int[1, 4], Gen.OneOf(Gen.Const(1), Gen.Const(3)),
            (step, loseAnswer, occurrence, count) => new Fault(step, loseAnswer, occurrence, count)).Array[0, 2],
        (attempts, faults) => new Case(attempts, faults));

    private readonly ApiFactory _api = new(dependencies);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Signups_racing_for_one_key_license_at_most_one_account_and_their_retries_exactly_one()
    {
        var seed = string.IsNullOrEmpty(Check.Seed) ? PCG.ThreadPCG.ToString() : Check.Seed;
        var rounds = Environment.GetEnvironmentVariable("CsCheck_Iter") is null ? SuiteRounds : Check.Iter;
        TestContext.Current.TestOutputHelper?.WriteLine($"CsCheck_Seed={seed} CsCheck_Iter={rounds}");

        // One case at a time: the faults apply to the whole API instance.
        await Cases.SampleAsync(RunAsync, seed: seed, iter: rounds, threads: 1);
    }

    private async Task RunAsync(Case @case)
    {
        var key = await _api.CreateLicenseKeyAsync();
        var emails = await PrepareEmailsAsync(@case);
        var requests = @case.Attempts
            .Select(attempt => new JsonObject { ["email"] = emails[attempt.Mail], ["password"] = Password(attempt.Secret), ["name"] = "Racer", ["accessToken"] = key })
            .ToArray();
        var injected = _api.Faults.Injected;
        var releaseFailures = ReleaseFailures();
        foreach (var fault in @case.Faults)
        {
            var match = HttpFaults.Occurrence(Matching(fault.Step, key), fault.Occurrence, fault.Count);
            if (fault.LoseAnswer)
            {
                _api.Faults.LoseAnswerWhen(match);
            }
            else
            {
                _api.Faults.RefuseWhen(match);
            }
        }

        using var client = _api.CreateClient();
        var answers = await Task.WhenAll(requests.Select(request => SendAsync(client, request)));
        _api.Faults.Clear();

        var faulted = _api.Faults.Injected > injected;
        for (var i = 0; i < answers.Length; i++)
        {
            AssertAnswerFits(@case.Attempts[i], answers[i], faultsInjected: faulted);
        }

        await AssertAtMostOneLicensedAsync(key, answers);

        // Every failed request again, the faults off.
        var valid = @case.Attempts.Any(attempt => attempt.CanSucceed);
        await RetryFailedAsync(client, requests, answers, @case);
        if (valid && (await LicensedAsync(key)).Count == 0)
        {
            // Only a share of the hold that a failed attempt could not give back (the database refused it) may still
            // stand in the way, until it lapses: the retries of its own e-mail join the hold and leave it again.
            Assert.True(ReleaseFailures() > releaseFailures, "no licensed account after the retries, and no hold left over by a failed release");
            Assert.NotNull(await _api.ReadDatabaseAsync($"licenseKeys/{key}/reservedFor"));
            await _api.LapseHoldAsync(key);
            await RetryFailedAsync(client, requests, answers, @case);
        }

        var licensed = await AssertAtMostOneLicensedAsync(key, answers);
        Assert.Equal(valid ? 1 : 0, licensed.Count);
        for (var i = 0; i < answers.Length; i++)
        {
            if (answers[i].Status == HttpStatusCode.OK)
            {
                Assert.Equal(await dependencies.FindUidAsync((string)requests[i]["email"]!), answers[i].Uid);
            }
        }

        if (Array.FindIndex(answers, answer => answer.Status == HttpStatusCode.OK) is var done and >= 0)
        {
            // A signup retried after it finished answers the same uid.
            Assert.Equal(answers[done].Uid, (await SendAsync(client, requests[done])).Uid);
        }

        Assert.DoesNotContain(_api.Logs.AtLeast(LogLevel.Error), log => log.Category != PollyCategory);
    }

    private async Task RetryFailedAsync(HttpClient client, JsonObject[] requests, Answer[] answers, Case @case)
    {
        for (var i = 0; i < answers.Length; i++)
        {
            if (answers[i].Status != HttpStatusCode.OK)
            {
                answers[i] = await SendAsync(client, requests[i]);
                AssertAnswerFits(@case.Attempts[i], answers[i], faultsInjected: false);
            }
        }
    }

    private static void AssertAnswerFits(Attempt attempt, Answer answer, bool faultsInjected)
    {
        var fits = answer.Status switch
        {
            HttpStatusCode.OK => attempt.CanSucceed,
            HttpStatusCode.BadRequest => attempt.Secret == Secret.Weak && answer.Code == "weak_password",
            HttpStatusCode.Forbidden => answer.Code == "invalid_license",
            HttpStatusCode.Conflict => answer.Code == "email_exists",
            HttpStatusCode.ServiceUnavailable => faultsInjected && answer.RetryAfter,
            _ => false,
        };
        Assert.True(fits, $"{attempt} was answered {(int)answer.Status} {answer.Code} (Retry-After: {answer.RetryAfter}, faults injected: {faultsInjected})");
    }

    /// <summary>
    /// At most one account is licensed with the key (its record has <c>accessKey</c> = the key and <c>verifiedAccess</c>
    /// true), the key's <c>usedBy</c> is that account when there is one, and every signup answered 200 got that uid.
    /// </summary>
    private async Task<IReadOnlyList<string>> AssertAtMostOneLicensedAsync(string key, Answer[] answers)
    {
        var licensed = await LicensedAsync(key);
        var usedBy = (string?)await _api.ReadDatabaseAsync($"licenseKeys/{key}/usedBy");
        Assert.True(licensed.Count <= 1, $"{licensed.Count} accounts are licensed with one key");
        if (licensed.Count == 1)
        {
            Assert.Equal(licensed[0], usedBy);
        }

        foreach (var answer in answers.Where(answer => answer.Status == HttpStatusCode.OK))
        {
            Assert.Equal(usedBy, answer.Uid);
            Assert.Equal(new[] { answer.Uid! }, licensed);
        }

        return licensed;
    }

    private async Task<IReadOnlyList<string>> LicensedAsync(string key) =>
        [.. (JsonShapes.AsObject(await _api.ReadDatabaseAsync("users")) ?? [])
            .Where(user => (string?)user.Value?["accessKey"] == key && user.Value?["verifiedAccess"] is JsonValue flag && flag.TryGetValue(out bool on) && on)
            .Select(user => user.Key)];

    private int ReleaseFailures() =>
        _api.Logs.AtLeast(LogLevel.Warning).Count(log => log.Message.StartsWith("A failed signup could not give back its hold", StringComparison.Ordinal));

    private static async Task<Answer> SendAsync(HttpClient client, JsonObject request)
    {
        using var response = await client.PostAsJsonAsync("/auth/signup", request, Cancellation);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(Cancellation));
        return new Answer(response.StatusCode, (string?)body?["code"], (string?)body?["uid"], response.Headers.RetryAfter is not null);
    }

    /// <summary>An e-mail per kind the case uses; the finished and the unfinished accounts are made first, with <see cref="RightPassword"/>.</summary>
    private async Task<Dictionary<Mail, string>> PrepareEmailsAsync(Case @case)
    {
        var emails = Enum.GetValues<Mail>().ToDictionary(mail => mail, mail => ApiUsers.NewEmail($"race-{mail}".ToLowerInvariant()));
        if (@case.Attempts.Any(attempt => attempt.Mail == Mail.Finished))
        {
            var uid = await dependencies.CreateAccountAsync(emails[Mail.Finished], RightPassword);
            await _api.WriteDatabaseAsync($"users/{uid}", new JsonObject
            {
                ["email"] = emails[Mail.Finished], ["name"] = "Finished", ["verifiedAccess"] = true, ["accessKey"] = "AK-TEST-ANOTHER-KEY",
            });
        }

        if (@case.Attempts.Any(attempt => attempt.Mail == Mail.Unfinished))
        {
            await dependencies.CreateAccountAsync(emails[Mail.Unfinished], RightPassword);
        }

        return emails;
    }

    private static string Password(Secret secret) => secret switch
    {
        Secret.Right => RightPassword,
        Secret.Other => "other-password-2",
        _ => "weak",
    };

    private static Func<HttpRequestMessage, bool> Matching(Step step, string key) => step switch
    {
        Step.CreateAccount => HttpFaults.AccountCreation,
        Step.SignIn => HttpFaults.Auth("accounts:signInWithPassword"),
        Step.KeyRead => HttpFaults.Database(HttpMethod.Get, $"licenseKeys/{key}"),
        Step.KeyWrite => HttpFaults.Database(HttpMethod.Put, $"licenseKeys/{key}"),
        Step.RecordRead => HttpFaults.Database(HttpMethod.Get, "users/"),
        _ => HttpFaults.Database(HttpMethod.Patch, "users/"),
    };

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _api.DisposeAsync();

    /// <summary>Fresh and OtherFresh have no account before the case; Finished has a licensed one (another key), Unfinished one without a record.</summary>
    internal enum Mail
    {
        Fresh,
        OtherFresh,
        Finished,
        Unfinished,
    }

    internal enum Secret
    {
        Right,
        Other,
        Weak,
    }

    /// <summary>Where a fault strikes: an Auth call, or a database read or write of the key or of users' records.</summary>
    internal enum Step
    {
        CreateAccount,
        SignIn,
        KeyRead,
        KeyWrite,
        RecordRead,
        RecordWrite,
    }

    internal sealed record Attempt(Mail Mail, Secret Secret)
    {
        /// <summary>Whether this request could license an account on its own: a new e-mail with a strong password, or the unfinished account's own password.</summary>
        public bool CanSucceed => Mail switch
        {
            Mail.Fresh or Mail.OtherFresh => Secret != Secret.Weak,
            Mail.Unfinished => Secret == Secret.Right,
            _ => false,
        };
    }

    /// <summary>The <see cref="Occurrence"/>-th request of <see cref="Step"/> in the case, and the <see cref="Count"/> - 1 after it, fail.</summary>
    internal sealed record Fault(Step Step, bool LoseAnswer, int Occurrence, int Count);

    internal sealed record Case(Attempt[] Attempts, Fault[] Faults)
    {
        public override string ToString() => $"attempts [{string.Join(", ", Attempts.Select(a => $"{a.Mail}/{a.Secret}"))}], faults [{string.Join(", ", Faults.Select(f => $"{(f.LoseAnswer ? "lose" : "refuse")} {f.Step} #{f.Occurrence} x{f.Count}"))}]";
    }

    private sealed record Answer(HttpStatusCode Status, string? Code, string? Uid, bool RetryAfter);
}

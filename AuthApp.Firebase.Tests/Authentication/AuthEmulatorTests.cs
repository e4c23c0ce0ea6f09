using System.Text.Json;
using AuthApp.Firebase.Authentication;
using AuthApp.Firebase.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AuthApp.Firebase.Tests.Authentication;

/// <summary>Every Identity Toolkit operation against the official Firebase Auth emulator.</summary>
public sealed class AuthEmulatorTests(AuthEmulatorFixture emulator) : IAsyncLifetime
{
    private const string Password = "correct-horse-42";
    private IHost _host = null!;

    private FirebaseAuthClient Auth => _host.Services.GetRequiredService<FirebaseAuthClient>();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _host = FirebaseTestHost.Build(new Dictionary<string, string?>
        {
            ["Firebase:AuthEmulatorHost"] = await emulator.GetHostAsync(),
            ["Firebase:AcceptEmulatorTokens"] = "true",
        });
    }

    public ValueTask DisposeAsync()
    {
        _host.Dispose();
        return ValueTask.CompletedTask;
    }

    private static string NewEmail() => $"user-{Guid.NewGuid():N}@example.com";

    [Fact]
    public async Task Sign_up_returns_tokens_for_a_new_user_who_can_be_looked_up_by_uid_email_and_id_token()
    {
        var email = NewEmail();
        var result = await Auth.SignUpAsync(email, Password, "Ann", Ct);

        Assert.NotEmpty(result.IdToken);
        Assert.NotEmpty(result.RefreshToken);
        Assert.Equal(TimeSpan.FromHours(1), result.ExpiresIn);
        Assert.Equal(email, result.Email);
        Assert.Equal("Ann", result.DisplayName);

        var byUid = await Auth.GetUserAsync(result.LocalId, Ct);
        var byEmail = await Auth.GetUserByEmailAsync(email, Ct);
        Assert.All([byUid, byEmail], user =>
        {
            Assert.Equal(result.LocalId, user.Uid);
            Assert.Equal(email, user.Email);
            Assert.Equal("Ann", user.DisplayName);
            Assert.False(user.Disabled);
            Assert.False(user.EmailVerified);
            Assert.NotNull(user.CreatedAt);
            Assert.NotNull(user.ValidSince);
        });
    }

    [Fact]
    public async Task An_account_created_as_the_service_signs_in_with_its_password_and_refuses_a_second_one()
    {
        var email = NewEmail();

        var uid = await Auth.CreateUserAsync(email, Password, "Bea", Ct);

        var session = await Auth.SignInWithPasswordAsync(email, Password, Ct);
        Assert.Equal(uid, session.LocalId);
        Assert.Equal("Bea", (await Auth.GetUserAsync(uid, Ct)).DisplayName);
        Assert.Equal(AuthErrorCode.EmailExists,
            (await Assert.ThrowsAsync<FirebaseAuthException>(() => Auth.CreateUserAsync(email, Password, cancellationToken: Ct))).Code);
        Assert.Equal(AuthErrorCode.WeakPassword,
            (await Assert.ThrowsAsync<FirebaseAuthException>(() => Auth.CreateUserAsync(NewEmail(), "12345", cancellationToken: Ct))).Code);
    }

    [Fact]
    public async Task Sign_up_with_an_existing_email_is_reported_as_email_exists()
    {
        var email = NewEmail();
        await Auth.SignUpAsync(email, Password, cancellationToken: Ct);

        var error = await Assert.ThrowsAsync<FirebaseAuthException>(() => Auth.SignUpAsync(email, Password, cancellationToken: Ct));

        Assert.Equal(AuthErrorCode.EmailExists, error.Code);
        Assert.DoesNotContain(email, error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Sign_up_with_a_short_password_is_reported_as_weak_password()
    {
        var error = await Assert.ThrowsAsync<FirebaseAuthException>(() => Auth.SignUpAsync(NewEmail(), "12345", cancellationToken: Ct));

        Assert.Equal(AuthErrorCode.WeakPassword, error.Code);
        Assert.Equal("WEAK_PASSWORD", error.ServerCode);
    }

    [Fact]
    public async Task Sign_up_with_a_malformed_email_is_reported_as_invalid_email()
    {
        var error = await Assert.ThrowsAsync<FirebaseAuthException>(() => Auth.SignUpAsync("not-an-email", Password, cancellationToken: Ct));

        Assert.Equal(AuthErrorCode.InvalidEmail, error.Code);
    }

    [Fact]
    public async Task Sign_in_returns_the_identity_toolkit_body_unchanged()
    {
        var email = NewEmail();
        var created = await Auth.SignUpAsync(email, Password, cancellationToken: Ct);

        var result = await Auth.SignInWithPasswordAsync(email, Password, Ct);

        Assert.Equal(created.LocalId, result.LocalId);
        Assert.True(result.Registered);
        Assert.Equal("identitytoolkit#VerifyPasswordResponse", result.RawBody.GetProperty("kind").GetString());
        Assert.Equal(result.IdToken, result.RawBody.GetProperty("idToken").GetString());
        Assert.Equal(result.RefreshToken, result.RawBody.GetProperty("refreshToken").GetString());
        Assert.Equal("3600", result.RawBody.GetProperty("expiresIn").GetString());
        Assert.Equal(email, result.RawBody.GetProperty("email").GetString());
        Assert.DoesNotContain(result.IdToken, result.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sign_in_with_wrong_password_is_reported_as_invalid_credentials()
    {
        var email = NewEmail();
        await Auth.SignUpAsync(email, Password, cancellationToken: Ct);

        var error = await Assert.ThrowsAsync<FirebaseAuthException>(() => Auth.SignInWithPasswordAsync(email, "wrong-password", Ct));

        Assert.Contains(error.Code, new[] { AuthErrorCode.InvalidPassword, AuthErrorCode.InvalidLoginCredentials });
        Assert.DoesNotContain("wrong-password", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sign_in_with_an_unknown_email_is_reported_as_email_not_found()
    {
        var error = await Assert.ThrowsAsync<FirebaseAuthException>(() => Auth.SignInWithPasswordAsync(NewEmail(), Password, Ct));

        Assert.Contains(error.Code, new[] { AuthErrorCode.EmailNotFound, AuthErrorCode.InvalidLoginCredentials });
    }

    [Fact]
    public async Task Refresh_returns_a_new_id_token_for_the_same_user()
    {
        var created = await Auth.SignUpAsync(NewEmail(), Password, cancellationToken: Ct);

        var refreshed = await Auth.RefreshAsync(created.RefreshToken, Ct);

        Assert.Equal(created.LocalId, refreshed.UserId);
        Assert.NotEmpty(refreshed.RefreshToken);
        Assert.Equal(TimeSpan.FromHours(1), refreshed.ExpiresIn);
        Assert.Equal(created.LocalId, (await Auth.VerifyIdTokenAsync(refreshed.IdToken, cancellationToken: Ct)).Uid);
    }

    [Fact]
    public async Task Refresh_with_a_garbage_token_is_reported_as_invalid_refresh_token()
    {
        var error = await Assert.ThrowsAsync<FirebaseAuthException>(() => Auth.RefreshAsync("garbage-refresh-token", Ct));

        Assert.Equal(AuthErrorCode.InvalidRefreshToken, error.Code);
    }

    [Fact]
    public async Task Looking_up_an_unknown_uid_is_reported_as_user_not_found()
    {
        var error = await Assert.ThrowsAsync<FirebaseAuthException>(() => Auth.GetUserAsync("no-such-user", Ct));

        Assert.Equal(AuthErrorCode.UserNotFound, error.Code);
    }

    [Fact]
    public async Task A_malformed_id_token_is_reported_as_invalid_id_token()
    {
        var error = await Assert.ThrowsAsync<FirebaseAuthException>(() => Auth.SendEmailVerificationAsync("not-a-token", Ct));

        Assert.Equal(AuthErrorCode.InvalidIdToken, error.Code);
    }

    [Fact]
    public async Task Update_changes_profile_email_password_and_custom_claims()
    {
        var created = await Auth.SignUpAsync(NewEmail(), Password, cancellationToken: Ct);
        var newEmail = NewEmail();

        await Auth.UpdateUserAsync(created.LocalId, new UserUpdate
        {
            DisplayName = "Bea",
            Email = newEmail,
            Password = "another-password-7",
            EmailVerified = true,
            CustomClaims = new Dictionary<string, object?> { ["role"] = "installer", ["level"] = 3 },
        }, Ct);

        var user = await Auth.GetUserAsync(created.LocalId, Ct);
        Assert.Equal("Bea", user.DisplayName);
        Assert.Equal(newEmail, user.Email);
        Assert.True(user.EmailVerified);
        Assert.Equal("installer", user.CustomClaims["role"].GetString());
        Assert.Equal(3, user.CustomClaims["level"].GetInt32());

        var signIn = await Auth.SignInWithPasswordAsync(newEmail, "another-password-7", Ct);
        var token = await Auth.VerifyIdTokenAsync(signIn.IdToken, cancellationToken: Ct);
        Assert.Equal("installer", token.Claims["role"].GetString());
        Assert.Equal(newEmail, token.Email);
    }

    [Fact]
    public async Task Setting_a_reserved_claim_is_refused_before_calling_google()
    {
        var error = await Assert.ThrowsAsync<FirebaseAuthException>(() =>
            Auth.SetCustomClaimsAsync("any-uid", new Dictionary<string, object?> { ["sub"] = "x" }, Ct));

        Assert.Equal(AuthErrorCode.ForbiddenClaim, error.Code);
    }

    [Fact]
    public async Task A_disabled_user_cannot_sign_in_and_its_tokens_fail_the_revocation_check()
    {
        var email = NewEmail();
        var created = await Auth.SignUpAsync(email, Password, cancellationToken: Ct);

        await Auth.UpdateUserAsync(created.LocalId, new UserUpdate { Disabled = true }, Ct);

        Assert.True((await Auth.GetUserAsync(created.LocalId, Ct)).Disabled);
        var signIn = await Assert.ThrowsAsync<FirebaseAuthException>(() => Auth.SignInWithPasswordAsync(email, Password, Ct));
        Assert.Equal(AuthErrorCode.UserDisabled, signIn.Code);
        var verify = await Assert.ThrowsAsync<FirebaseAuthException>(async () => await Auth.VerifyIdTokenAsync(created.IdToken, checkRevoked: true, Ct));
        Assert.Equal(AuthErrorCode.UserDisabled, verify.Code);
        Assert.Equal(created.LocalId, (await Auth.VerifyIdTokenAsync(created.IdToken, checkRevoked: false, Ct)).Uid);
    }

    [Fact]
    public async Task Revoking_refresh_tokens_rejects_earlier_id_tokens_when_revocation_is_checked()
    {
        var created = await Auth.SignUpAsync(NewEmail(), Password, cancellationToken: Ct);
        Assert.Equal(created.LocalId, (await Auth.VerifyIdTokenAsync(created.IdToken, checkRevoked: true, Ct)).Uid);

        var signedIn = DateTimeOffset.FromUnixTimeSeconds((long)IdTokens.DecodePayload(created.IdToken)["auth_time"]!);
        await WallClock.UntilSecondAfterAsync(signedIn); // auth_time and validSince have one-second resolution
        await Auth.RevokeRefreshTokensAsync(created.LocalId, Ct);

        var error = await Assert.ThrowsAsync<FirebaseAuthException>(async () => await Auth.VerifyIdTokenAsync(created.IdToken, checkRevoked: true, Ct));
        Assert.Equal(AuthErrorCode.IdTokenRevoked, error.Code);
        Assert.Equal(created.LocalId, (await Auth.VerifyIdTokenAsync(created.IdToken, checkRevoked: false, Ct)).Uid);
    }

    [Fact]
    public async Task A_deleted_user_is_gone()
    {
        var created = await Auth.SignUpAsync(NewEmail(), Password, cancellationToken: Ct);

        await Auth.DeleteUserAsync(created.LocalId, Ct);

        var error = await Assert.ThrowsAsync<FirebaseAuthException>(() => Auth.GetUserAsync(created.LocalId, Ct));
        Assert.Equal(AuthErrorCode.UserNotFound, error.Code);
    }

    [Fact]
    public async Task Password_reset_and_email_verification_codes_are_sent()
    {
        var email = NewEmail();
        var created = await Auth.SignUpAsync(email, Password, cancellationToken: Ct);

        await Auth.SendPasswordResetEmailAsync(email, Ct);
        await Auth.SendEmailVerificationAsync(created.IdToken, Ct);

        var codes = (await emulator.GetOobCodesAsync()).Where(c => c?["email"]?.GetValue<string>() == email).ToList();
        Assert.Contains(codes, c => c?["requestType"]?.GetValue<string>() == "PASSWORD_RESET");
        Assert.Contains(codes, c => c?["requestType"]?.GetValue<string>() == "VERIFY_EMAIL");
    }

    [Fact]
    public async Task Emulator_id_tokens_are_verified_locally_with_their_claims()
    {
        var email = NewEmail();
        var created = await Auth.SignUpAsync(email, Password, cancellationToken: Ct);

        var token = await Auth.VerifyIdTokenAsync(created.IdToken, cancellationToken: Ct);

        Assert.Equal(created.LocalId, token.Uid);
        Assert.Equal(email, token.Email);
        Assert.False(token.EmailVerified);
        Assert.Equal("password", token.SignInProvider);
        Assert.Equal(token.IssuedAt.AddHours(1), token.ExpiresAt);
    }

    [Fact]
    public async Task Emulator_tokens_for_another_project_are_rejected()
    {
        var created = await Auth.SignUpAsync(NewEmail(), Password, cancellationToken: Ct);
        var claims = IdTokens.DecodePayload(created.IdToken);
        claims["aud"] = "another-project";

        var error = await Assert.ThrowsAsync<FirebaseAuthException>(async () =>
            await Auth.VerifyIdTokenAsync(IdTokens.Unsigned(claims), cancellationToken: Ct));

        Assert.Equal(AuthErrorCode.IdTokenInvalid, error.Code);
    }

    [Fact]
    public async Task The_api_key_travels_in_a_header_that_the_emulator_accepts()
    {
        // Sign-in succeeding proves the emulator took X-Goog-Api-Key (it answers 403 without a key).
        var email = NewEmail();
        await Auth.SignUpAsync(email, Password, cancellationToken: Ct);
        using var http = new HttpClient();
        using var withoutKey = await http.PostAsync(
            $"http://{await emulator.GetHostAsync()}/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword",
            new StringContent(JsonSerializer.Serialize(new { email, password = Password, returnSecureToken = true }), System.Text.Encoding.UTF8, "application/json"),
            Ct);

        Assert.Equal(System.Net.HttpStatusCode.Forbidden, withoutKey.StatusCode);
        Assert.NotEmpty((await Auth.SignInWithPasswordAsync(email, Password, Ct)).IdToken);
    }
}

using System.Text.Json.Nodes;
using AuthApp.Firebase.Credentials;
using AuthApp.Firebase.Messaging;
using AuthApp.Firebase.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace AuthApp.Firebase.Tests.Messaging;

public sealed class FcmPushSenderTests : IAsyncLifetime
{
    private const string DeviceToken = "device-token-abc";
    private FakeFcm _fcm = null!;
    private IHost _host = null!;

    private IPushSender Sender => _host.Services.GetRequiredService<IPushSender>();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly PushMessage Message = new(DeviceToken, "Schedule Completed", "Lamp is on", new Dictionary<string, string> { ["venue"] = "Kitchen" });

    public async ValueTask InitializeAsync()
    {
        _fcm = await FakeFcm.StartAsync();
        _host = FirebaseTestHost.Build(
            FirebaseTestHost.ProductionLike(("Firebase:MessagingBaseUrl", _fcm.BaseAddress.ToString())),
            builder => builder.Services.AddSingleton<IFirebaseAccessTokenProvider>(new FakeAccessTokens("fcm-access-token")));
    }

    public async ValueTask DisposeAsync()
    {
        _host.Dispose();
        await _fcm.DisposeAsync();
    }

    [Fact]
    public async Task A_message_is_sent_with_the_access_token_and_its_name_is_returned()
    {
        var result = await Sender.SendAsync(Message, cancellationToken: Ct);

        Assert.Equal(PushOutcome.Sent, result.Outcome);
        Assert.Equal("projects/demo-authapp/messages/0:12345", result.MessageName);
        var (authorization, body) = Assert.Single(_fcm.Received);
        Assert.Equal("Bearer fcm-access-token", authorization);
        var json = JsonNode.Parse(body)!;
        Assert.False(json["validate_only"]!.GetValue<bool>());
        Assert.Equal(DeviceToken, json["message"]!["token"]!.GetValue<string>());
        Assert.Equal("Schedule Completed", json["message"]!["notification"]!["title"]!.GetValue<string>());
        Assert.Equal("Lamp is on", json["message"]!["notification"]!["body"]!.GetValue<string>());
        Assert.Equal("Kitchen", json["message"]!["data"]!["venue"]!.GetValue<string>());
    }

    [Fact]
    public async Task Validate_only_is_sent_to_fcm()
    {
        await Sender.SendAsync(Message, validateOnly: true, Ct);

        Assert.True(JsonNode.Parse(Assert.Single(_fcm.Received).Body)!["validate_only"]!.GetValue<bool>());
    }

    [Fact]
    public async Task An_unregistered_token_is_reported_as_invalid_so_the_caller_can_remove_it()
    {
        _fcm.Respond = (context, _) => FakeFcm.Error(context, 404, "NOT_FOUND", "Requested entity was not found.", [FakeFcm.FcmError("UNREGISTERED")]);

        var result = await Sender.SendAsync(Message, cancellationToken: Ct);

        Assert.Equal(PushOutcome.InvalidToken, result.Outcome);
        Assert.Equal("UNREGISTERED", result.ErrorCode);
        Assert.Equal(1, _fcm.Requests);
    }

    [Fact]
    public async Task An_invalid_argument_about_the_token_is_reported_as_invalid_token()
    {
        _fcm.Respond = (context, _) => FakeFcm.Error(context, 400, "INVALID_ARGUMENT", "The registration token is not a valid FCM registration token",
            [FakeFcm.FcmError("INVALID_ARGUMENT"), new Dictionary<string, object>
            {
                ["@type"] = "type.googleapis.com/google.rpc.BadRequest",
                ["fieldViolations"] = new[] { new { field = "message.token", description = "Invalid registration token" } },
            }]);

        var result = await Sender.SendAsync(Message, cancellationToken: Ct);

        Assert.Equal(PushOutcome.InvalidToken, result.Outcome);
        Assert.Equal("INVALID_ARGUMENT", result.ErrorCode);
    }

    [Fact]
    public async Task An_invalid_argument_about_the_payload_is_an_error_not_a_bad_token()
    {
        _fcm.Respond = (context, _) => FakeFcm.Error(context, 400, "INVALID_ARGUMENT", "Invalid JSON payload received.", [FakeFcm.FcmError("INVALID_ARGUMENT")]);

        var error = await Assert.ThrowsAsync<FirebaseMessagingException>(() => Sender.SendAsync(Message, cancellationToken: Ct));

        Assert.Equal("INVALID_ARGUMENT", error.ServerCode);
        Assert.DoesNotContain(DeviceToken, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_503_with_retry_after_is_retried_and_then_succeeds()
    {
        _fcm.Respond = (context, attempt) =>
        {
            if (attempt == 1)
            {
                context.Response.Headers.RetryAfter = "1";
                return FakeFcm.Error(context, 503, "UNAVAILABLE", "The service is currently unavailable.", [FakeFcm.FcmError("UNAVAILABLE")]);
            }

            return context.Response.WriteAsJsonAsync(new { name = "projects/demo-authapp/messages/0:2" });
        };

        var result = await Sender.SendAsync(Message, cancellationToken: Ct);

        Assert.Equal("projects/demo-authapp/messages/0:2", result.MessageName);
        Assert.Equal(2, _fcm.Requests);
    }

    [Fact]
    public async Task A_500_is_not_retried_because_the_message_may_have_been_delivered()
    {
        _fcm.Respond = (context, _) => FakeFcm.Error(context, 500, "INTERNAL", "Internal error.", [FakeFcm.FcmError("INTERNAL")]);

        var error = await Assert.ThrowsAsync<FirebaseServiceUnavailableException>(() => Sender.SendAsync(Message, cancellationToken: Ct));

        Assert.Equal(System.Net.HttpStatusCode.InternalServerError, error.StatusCode);
        Assert.Equal(1, _fcm.Requests);
    }

    [Fact]
    public async Task A_persistent_503_is_reported_as_unavailable_with_its_retry_after()
    {
        _fcm.Respond = (context, _) =>
        {
            context.Response.Headers.RetryAfter = "0";
            return FakeFcm.Error(context, 503, "UNAVAILABLE", "Unavailable.");
        };

        var error = await Assert.ThrowsAsync<FirebaseServiceUnavailableException>(() => Sender.SendAsync(Message, cancellationToken: Ct));

        Assert.Equal(TimeSpan.Zero, error.RetryAfter);
        Assert.Equal(3, _fcm.Requests);
    }

    [Fact]
    public async Task Log_mode_logs_the_title_and_a_token_fingerprint_but_never_the_token()
    {
        var logs = new FakeLogCollector();
        using var host = FirebaseTestHost.Build(
            FirebaseTestHost.ProductionLike(("Firebase:Messaging", "Log")),
            builder => builder.Logging.AddProvider(new FakeLoggerProvider(logs)));
        var sender = host.Services.GetRequiredService<IPushSender>();

        var result = await sender.SendAsync(Message, cancellationToken: Ct);

        Assert.IsType<LogPushSender>(sender);
        Assert.True(result.IsSent);
        var line = Assert.Single(logs.GetSnapshot(), log => log.Message.Contains("Schedule Completed", StringComparison.Ordinal)).Message;
        Assert.Contains(PushToken.Fingerprint(DeviceToken), line, StringComparison.Ordinal);
        Assert.DoesNotContain(logs.AllText(), s => s.Contains(DeviceToken, StringComparison.Ordinal));
    }
}

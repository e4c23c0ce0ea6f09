using AuthApp.Testing;
using System.Diagnostics;
using System.Net;
using AuthApp.DatabaseEmulator.Rules;
using AuthApp.DatabaseEmulator.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace AuthApp.DatabaseEmulator.Tests.Http;

/// <summary>How the rules reach an emulator started by this project (<c>Rules:Path</c>), and what happens without them.</summary>
public sealed class HostingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_rules_file_judges_every_namespace()
    {
        await using var app = await EmulatorFixture.StartAsync(new FakeTimeProvider(EmulatorFixture.Start), $"--Rules:Path={RepoPaths.ProductRules}");
        using var http = ClientOf(app);
        var db = new RulesDatabase(http, "any-namespace", new FakeTimeProvider(EmulatorFixture.Start));

        // The rules admit a licensed owner only (the server writes the flag at signup).
        await db.SeedAsync("users/alice/verifiedAccess", "true");

        Assert.Equal(HttpStatusCode.Unauthorized, (await db.GetAsync(Identity.Anonymous, "users")).Status);
        Assert.Equal(HttpStatusCode.OK, (await db.PutAsync(db.User("alice"), "users/alice/name", "\"Alice\"")).Status);
    }

    [Fact]
    public async Task Without_rules_nothing_is_judged_and_every_request_acts_as_the_owner()
    {
        await using var app = await EmulatorFixture.StartAsync(new FakeTimeProvider(EmulatorFixture.Start));
        using var http = ClientOf(app);
        var db = new RulesDatabase(http, "open", new FakeTimeProvider(EmulatorFixture.Start));

        Assert.Equal(HttpStatusCode.OK, (await db.PutAsync(Identity.Anonymous, "users/bob/name", "\"x\"")).Status);
        Assert.Equal(HttpStatusCode.OK, (await db.GetAsync(new Identity("junk", BearerToken: "not-a-token"), "users")).Status);
    }

    [Fact]
    public async Task Tokens_expire_and_now_advances_with_the_emulators_clock()
    {
        var clock = new FakeTimeProvider(EmulatorFixture.Start);
        await using var app = await EmulatorFixture.StartAsync(clock);
        using var http = ClientOf(app);
        var db = new RulesDatabase(http, "clocked", clock);
        await db.SetRulesAsync("""{"rules": {"$x": {".read": "auth != null", ".write": "newData.val() > now"}}}""");
        var alice = db.User("alice");

        var before = await db.GetAsync(alice, "x");
        var future = await db.PutAsync(Identity.Anonymous, "x", (clock.GetUtcNow().ToUnixTimeMilliseconds() + 1000).ToString(System.Globalization.CultureInfo.InvariantCulture));
        clock.Advance(TimeSpan.FromHours(2));
        var after = await db.GetAsync(alice, "x");
        var past = await db.PutAsync(Identity.Anonymous, "x", "1");

        Assert.Equal(HttpStatusCode.OK, before.Status);
        Assert.Equal(HttpStatusCode.OK, future.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, after.Status);
        Assert.Equal("Auth token is expired", after.Error);
        Assert.Equal(HttpStatusCode.Unauthorized, past.Status);
    }

    [Fact]
    public void A_rules_file_that_does_not_compile_stops_the_build_with_its_location()
    {
        using var file = new TempFile("""{"rules": {"users": {"$uid": {".read": "auth.uid === $user"}}}}""");

        var error = Assert.Throws<RulesException>(() => DatabaseEmulatorApp.Build(["--urls=http://127.0.0.1:0", $"--Rules:Path={file.Path}"]));

        Assert.StartsWith($"{file.Path}: /rules/users/$uid/.read, column 14: unknown variable '$user'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_emulator_process_refuses_to_start_with_rules_that_do_not_compile_and_says_where()
    {
        using var file = new TempFile("{\"rules\": {\n  \"a\": {\".write\": \"newData.isString(\"}\n}}");
        var emulator = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "AuthApp.DatabaseEmulator.exe" : "AuthApp.DatabaseEmulator");
        using var process = Process.Start(new ProcessStartInfo(emulator, ["--urls=http://127.0.0.1:0", $"--Rules:Path={file.Path}"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;

        var stderr = await process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);

        Assert.Equal(1, process.ExitCode);
        Assert.Contains($"{file.Path}: /rules/a/.write, column 18: expected a value, found the end of the expression", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    private static HttpClient ClientOf(Microsoft.AspNetCore.Builder.WebApplication app) =>
        new() { BaseAddress = new Uri($"http://{EmulatorFixture.HostOf(app)}") };

    private sealed class TempFile : IDisposable
    {
        public TempFile(string content)
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"rules-{Guid.NewGuid():N}.json");
            File.WriteAllText(Path, content);
        }

        public string Path { get; }

        public void Dispose() => File.Delete(Path);
    }
}

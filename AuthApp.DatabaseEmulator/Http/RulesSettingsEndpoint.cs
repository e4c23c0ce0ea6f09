using System.Net;
using System.Text;
using AuthApp.DatabaseEmulator.Auth;
using AuthApp.DatabaseEmulator.Rules;
using AuthApp.DatabaseEmulator.Tree;

namespace AuthApp.DatabaseEmulator.Http;

/// <summary>
/// <c>/.settings/rules.json</c>, as the Realtime Database and its official emulator serve it: <c>GET</c> returns a
/// namespace's rules, <c>PUT</c> replaces them (compiled first: a document that does not compile is a 400 naming
/// the location, and the old rules stay). Admin only (<c>Bearer owner</c>). Rules set this way live in memory.
/// </summary>
internal sealed partial class RulesSettingsEndpoint(
    RulesRegistry registry,
    IdTokenCache tokens,
    TimeProvider time,
    EmulatorOptions options,
    ILogger<RulesSettingsEndpoint> logger)
{
    public const string Path = "/.settings/rules.json";

    public async Task<Reply> HandleAsync(HttpContext context, string method, string ns)
    {
        if (!RequestCredentials.Identify(context.Request, tokens, time.GetUtcNow().ToUnixTimeMilliseconds()).IsAdmin)
        {
            throw new RtdbException(HttpStatusCode.Unauthorized, "Permission denied") { LogDetail = "the rules settings are admin only" };
        }

        switch (method)
        {
            case "GET":
                return registry.For(ns) is { } rules
                    ? new Reply(HttpStatusCode.OK, Encoding.UTF8.GetBytes(rules.Text))
                    : Reply.Error(HttpStatusCode.NotFound, "No rules: this namespace is not judged (every request acts as the owner).");
            case "PUT":
                var text = Encoding.UTF8.GetString((await RequestBody.ReadAsync(context, options.MaxRequestBytes)).Span);
                RuleSet compiled;
                try
                {
                    compiled = RuleSet.Parse(text, Path);
                }
                catch (RulesException ex)
                {
                    throw new RtdbException(HttpStatusCode.BadRequest, ex.Message);
                }

                registry.Set(ns, compiled);
                LogRulesSet(logger, ns);
                return new Reply(HttpStatusCode.OK, Reply.Json(writer => writer.WriteString("status", "ok")));
            default:
                throw new RtdbException(HttpStatusCode.MethodNotAllowed, "Method not allowed.");
        }
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "Rules replaced for namespace {Namespace}")]
    private static partial void LogRulesSet(ILogger logger, string @namespace);
}

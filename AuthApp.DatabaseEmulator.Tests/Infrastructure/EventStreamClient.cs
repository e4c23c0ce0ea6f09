using System.Text;
using System.Text.Json.Nodes;

namespace AuthApp.DatabaseEmulator.Tests.Infrastructure;

/// <summary>One server-sent event: its name and its data (JSON).</summary>
public sealed record ServerEvent(string Name, JsonNode? Data)
{
    public override string ToString() => $"{Name} {Data?.ToJsonString() ?? "null"}";
}

/// <summary>
/// A client of the streaming REST protocol: <c>GET</c> with <c>Accept: text/event-stream</c>, read one event at a time,
/// each within a deadline (a stream that stays silent fails the test rather than hanging it).
/// </summary>
public sealed class EventStreamClient : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private EventStreamClient(HttpResponseMessage response, StreamReader reader) => (_response, _reader) = (response, reader);

    public static async Task<(System.Net.HttpStatusCode Status, EventStreamClient? Stream, string Body)> OpenAsync(
        HttpClient http, string ns, Identity who, string path, string query = "")
    {
        var uri = new StringBuilder(http.BaseAddress!.GetLeftPart(UriPartial.Authority)).Append($"/{path.Trim('/')}.json?ns={ns}");
        if (who.AuthParameter is not null)
        {
            uri.Append("&auth=").Append(Uri.EscapeDataString(who.AuthParameter));
        }

        if (query.Length > 0)
        {
            uri.Append('&').Append(query);
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, uri.ToString());
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (who.BearerToken is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {who.BearerToken}");
        }

        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        if (response.Content.Headers.ContentType?.MediaType != "text/event-stream")
        {
            var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            response.Dispose();
            return (response.StatusCode, null, body);
        }

        var stream = await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken);
        return (response.StatusCode, new EventStreamClient(response, new StreamReader(stream, Encoding.UTF8)), "");
    }

    /// <summary>The next event, or null when the server ended the stream; fails after <paramref name="within"/> (5 s).</summary>
    public async Task<ServerEvent?> NextAsync(TimeSpan? within = null)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(within ?? TimeSpan.FromSeconds(5));
        string? name = null;
        var data = new StringBuilder();
        try
        {
            while (await _reader.ReadLineAsync(deadline.Token) is { } line)
            {
                if (line.Length == 0)
                {
                    if (name is not null)
                    {
                        return new ServerEvent(name, JsonNode.Parse(data.ToString()));
                    }

                    continue;
                }

                if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    name = line["event: ".Length..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    data.Append(line["data: ".Length..]);
                }
            }
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            Assert.Fail($"no event within {within ?? TimeSpan.FromSeconds(5)}");
        }

        return null;
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _response.Dispose();
        return ValueTask.CompletedTask;
    }
}

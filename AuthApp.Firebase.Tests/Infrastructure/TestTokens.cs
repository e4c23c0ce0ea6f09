using System.Buffers.Text;
using System.Text.Json.Nodes;

namespace AuthApp.Firebase.Tests.Infrastructure;

public static class TestTokens
{
    public static JsonObject DecodePayload(string jwt) =>
        JsonNode.Parse(Base64Url.DecodeFromChars(jwt.Split('.')[1]))!.AsObject();
}

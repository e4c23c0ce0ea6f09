using System.Text.Json.Nodes;
using AuthApp.Domain.Users;

namespace AuthApp.Domain.Tests;

public sealed class JsonShapesTests
{
    [Fact]
    public void Text_of_a_stored_string_with_a_lone_surrogate_is_null_instead_of_an_exception()
    {
        // JSON allows "\ud800"; UTF-16 text cannot hold it, and JsonValue.ToString() throws InvalidOperationException.
        var stored = JsonNode.Parse("""{"gemini_key":"AIza\ud800abc"}""")!["gemini_key"];

        Assert.Null(JsonShapes.Text(stored));
        Assert.Equal("not valid text", JsonShapes.Text(stored, 100).Problem);
    }

    [Theory]
    [InlineData("\"AIza-key\"", "AIza-key")]
    [InlineData("12", "12")]
    [InlineData("true", "true")]
    [InlineData("{\"a\":1}", null)]
    [InlineData("[1]", null)]
    public void Text_reads_strings_numbers_and_booleans_and_nothing_else(string json, string? expected) =>
        Assert.Equal(expected, JsonShapes.Text(JsonNode.Parse(json)));
}

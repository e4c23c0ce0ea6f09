using System.Text.Json.Nodes;

namespace AuthApp.Domain.Tests;

public sealed class VenueDataTests
{
    [Fact]
    public void Clients_never_see_the_created_marker()
    {
        var venues = JsonNode.Parse("""{"kitchen":{"__created":true,"lamp":"on","faults":"Smoke"},"hall":{"__created":true}}""");

        var shown = VenueData.ForClients(venues);

        Assert.Equal("""{"hall":{},"kitchen":{"faults":"Smoke","lamp":"on"}}""", shown.ToJsonString());
    }

    [Fact]
    public void Venues_named_with_numbers_come_back_as_venues_when_the_database_returns_an_array()
    {
        // What the Realtime Database returns for {"0": {...}, "1": {...}}.
        var venues = JsonNode.Parse("""[{"__created":true,"lamp":"on"},{"fan":"3"}]""");

        var shown = VenueData.ForClients(venues);

        Assert.Equal("""{"0":{"lamp":"on"},"1":{"fan":"3"}}""", shown.ToJsonString());
        Assert.Equal(["0", "1"], VenueData.NamesOf(venues));
        Assert.Equal("3", VenueData.Devices(venues![1])["fan"]);
    }

    [Fact]
    public void Gaps_in_an_array_shaped_node_are_left_out()
    {
        var node = JsonNode.Parse("""[null,{"lamp":"on"},null,{"fan":"1"}]""");

        Assert.Equal("""{"1":{"lamp":"on"},"3":{"fan":"1"}}""", JsonShapes.AsObject(node)!.ToJsonString());
    }

    [Fact]
    public void Devices_are_the_plain_values_of_a_venue_that_are_not_reserved()
    {
        var venue = JsonNode.Parse("""{"__created":true,"faults":"x","lamp":"on","fan":3,"odd":{"nested":true}}""");

        var devices = VenueData.Devices(venue);

        Assert.Equal(2, devices.Count);
        Assert.Equal("on", devices["lamp"]);
        Assert.Equal("3", devices["fan"]);
    }

    [Theory]
    [InlineData("""{"b":{"faults":"B"},"a":{"faults":"  A  "}}""", "A")]
    [InlineData("""{"a":{"lamp":"on"},"b":{"faults":"B"}}""", "")]
    [InlineData("""{"kitchen":{"faults":"K"},"10":{"faults":"Ten"},"9":{"faults":"Nine"}}""", "Nine")]
    [InlineData("""{"a":{"faults":42}}""", null)]
    [InlineData("""{"a":"not a venue","b":{"faults":"B"}}""", "B")]
    [InlineData("""[{"faults":"Zero"}]""", "Zero")]
    [InlineData("null", "")]
    public void The_faults_shown_are_the_first_venues_in_database_key_order(string venues, string? expected) =>
        Assert.Equal(expected, VenueData.FirstVenueFaults(JsonNode.Parse(venues)).Value);

    [Fact]
    public void Fault_text_that_is_not_text_or_too_long_is_a_problem_not_a_fault()
    {
        Assert.Equal("not text", VenueData.FirstVenueFaults(JsonNode.Parse("""{"a":{"faults":{"x":1}}}""")).Problem);
        Assert.Equal("longer than 1000 characters", VenueData.FirstVenueFaults(new JsonObject { ["a"] = new JsonObject { ["faults"] = new string('x', 1001) } }).Problem);
    }

    [Fact]
    public void A_shallow_read_of_the_venues_names_the_same_first_venue_as_a_full_one()
    {
        var full = JsonNode.Parse("""{"b":{"faults":"B"},"a":"not a venue","9":{"lamp":"on"}}""");
        var shallow = JsonNode.Parse("""{"b":true,"a":"not a venue","9":true}""");

        Assert.Equal(("9", "9"), (VenueData.FirstVenueName(full), VenueData.FirstVenueName(shallow)));
    }

    [Fact]
    public void Database_key_order_puts_integer_keys_first_by_value()
    {
        string[] keys = ["b", "10", "a", "9", "-1", "007", "2147483648"];

        Assert.Equal(["-1", "9", "10", "007", "2147483648", "a", "b"], keys.Order(JsonShapes.KeyOrder));
    }
}

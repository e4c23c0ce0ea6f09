namespace AuthApp.Domain.Tests;

public sealed class OccurrencesTests
{
    private static TimeZoneInfo Zone(string id) => TimeZoneInfo.FindSystemTimeZoneById(id);

    private static DateTimeOffset Utc(string text) => DateTimeOffset.Parse(text, null, System.Globalization.DateTimeStyles.AssumeUniversal);

    [Theory]
    [InlineData("UTC", "2026-06-15T07:29:59Z", "2026-06-15T07:30:00Z")]
    [InlineData("UTC", "2026-06-15T07:30:00Z", "2026-06-16T07:30:00Z")]
    [InlineData("Asia/Kolkata", "2026-06-15T00:00:00Z", "2026-06-15T02:00:00Z")]
    [InlineData("Asia/Kolkata", "2026-06-14T21:00:00Z", "2026-06-15T02:00:00Z")]
    [InlineData("America/New_York", "2026-06-15T00:00:00Z", "2026-06-15T11:30:00Z")]
    [InlineData("America/New_York", "2026-01-15T00:00:00Z", "2026-01-15T12:30:00Z")]
    [InlineData("Europe/London", "2026-06-15T00:00:00Z", "2026-06-15T06:30:00Z")]
    [InlineData("Europe/London", "2026-01-15T00:00:00Z", "2026-01-15T07:30:00Z")]
    public void Next_is_the_local_time_of_day_in_the_users_zone(string zone, string after, string expected) =>
        Assert.Equal(Utc(expected), Occurrences.Next(new TimeOnly(7, 30), Zone(zone), Utc(after)));

    [Fact]
    public void Next_crosses_the_date_line_from_a_utc_evening()
    {
        // 23:00 UTC on the 14th is already 04:30 on the 15th in Kolkata: 07:30 local is 02:00 UTC on the 15th.
        Assert.Equal(Utc("2026-06-15T02:00:00Z"), Occurrences.Next(new TimeOnly(7, 30), Zone("Asia/Kolkata"), Utc("2026-06-14T23:00:00Z")));
    }

    [Fact]
    public void A_time_skipped_by_spring_forward_fires_at_the_end_of_the_gap()
    {
        // 2026-03-08 in New York: 02:00 EST jumps to 03:00 EDT; 02:30 does not exist that day.
        var next = Occurrences.Next(new TimeOnly(2, 30), Zone("America/New_York"), Utc("2026-03-08T05:00:00Z"));

        Assert.Equal(Utc("2026-03-08T07:00:00Z"), next); // 03:00 EDT
        // The day after, 02:30 EDT again.
        Assert.Equal(Utc("2026-03-09T06:30:00Z"), Occurrences.Next(new TimeOnly(2, 30), Zone("America/New_York"), next));
    }

    [Fact]
    public void A_time_skipped_by_the_london_spring_forward_fires_at_the_end_of_the_gap() =>
        // 2026-03-29 in London: 01:00 GMT jumps to 02:00 BST.
        Assert.Equal(Utc("2026-03-29T01:00:00Z"), Occurrences.Next(new TimeOnly(1, 30), Zone("Europe/London"), Utc("2026-03-29T00:00:00Z")));

    [Fact]
    public void A_time_repeated_by_fall_back_fires_once_at_the_first_pass()
    {
        // 2026-11-01 in New York: 01:00-02:00 happens twice (EDT, then EST).
        var zone = Zone("America/New_York");
        var first = Occurrences.Next(new TimeOnly(1, 30), zone, Utc("2026-11-01T04:00:00Z"));
        var second = Occurrences.Next(new TimeOnly(1, 30), zone, first);

        Assert.Equal(Utc("2026-11-01T05:30:00Z"), first); // 01:30 EDT
        Assert.Equal(Utc("2026-11-02T06:30:00Z"), second); // next day, 01:30 EST: not 06:30Z on the 1st
    }

    [Fact]
    public void Previous_is_the_latest_occurrence_at_or_before_an_instant()
    {
        var zone = Zone("Asia/Kolkata");
        Assert.Equal(Utc("2026-06-15T02:00:00Z"), Occurrences.Previous(new TimeOnly(7, 30), zone, Utc("2026-06-15T02:00:00Z")));
        Assert.Equal(Utc("2026-06-14T02:00:00Z"), Occurrences.Previous(new TimeOnly(7, 30), zone, Utc("2026-06-15T01:59:59Z")));
    }

    [Fact]
    public void Previous_and_next_agree_across_a_year_in_every_zone()
    {
        foreach (var id in new[] { "UTC", "Asia/Kolkata", "America/New_York", "Europe/London" })
        {
            var zone = Zone(id);
            var at = Utc("2026-01-01T00:00:00Z");
            var occurrence = Occurrences.Next(new TimeOnly(2, 30), zone, at);
            for (var day = 0; day < 366; day++)
            {
                var next = Occurrences.Next(new TimeOnly(2, 30), zone, occurrence);
                Assert.InRange(next - occurrence, TimeSpan.FromHours(22.5), TimeSpan.FromHours(25.5));
                Assert.Equal(occurrence, Occurrences.Previous(new TimeOnly(2, 30), zone, next.AddSeconds(-1)));
                occurrence = next;
            }
        }
    }
}

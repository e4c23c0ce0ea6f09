namespace AuthApp.Domain.Tests;

public sealed class ScheduleTimeTests
{
    [Theory]
    [InlineData("07:30 AM", 7, 30)]
    [InlineData("7:30 pm", 19, 30)]
    [InlineData("12:00 AM", 0, 0)]
    [InlineData("12:15 PM", 12, 15)]
    [InlineData(" 11:59 PM ", 23, 59)]
    [InlineData("19:30", 19, 30)]
    [InlineData("7:05", 7, 5)]
    [InlineData("00:00", 0, 0)]
    public void Parses_the_twelve_and_twenty_four_hour_forms(string text, int hour, int minute)
    {
        Assert.True(ScheduleTime.TryParse(text, out var time));
        Assert.Equal(new TimeOnly(hour, minute), time);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("25:00")]
    [InlineData("13:00 PM")]
    [InlineData("7.30")]
    [InlineData("half past seven")]
    [InlineData("07:30:15")]
    public void Refuses_anything_else(string? text) => Assert.False(ScheduleTime.TryParse(text, out _));
}

using System.ComponentModel.DataAnnotations;
using System.Globalization;
using AuthApp.OptionsValidation;

namespace AuthApp.Firebase.Tests;

/// <summary>
/// The options' time-span bounds are parsed when the attribute is made, so that no two threads ever parse them at
/// once (RangeAttribute's lazy parsing throws InvalidCastException when they do: it failed a host start in our tests).
/// </summary>
public sealed class TimeSpanRangeTests
{
    [Fact]
    public void The_bounds_are_time_spans_before_the_first_validation()
    {
        var range = new TimeSpanRangeAttribute("00:00:00.010", "00:01:00");

        Assert.Equal(TimeSpan.FromMilliseconds(10), Assert.IsType<TimeSpan>(range.Minimum));
        Assert.Equal(TimeSpan.FromMinutes(1), Assert.IsType<TimeSpan>(range.Maximum));
    }

    [Fact]
    public void Values_are_judged_inclusively_whatever_the_current_culture()
    {
        var culture = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE"); // ',' is its decimal separator
        try
        {
            var range = new TimeSpanRangeAttribute("00:00:00.010", "00:01:00");
            Assert.True(range.IsValid(TimeSpan.FromMilliseconds(10)));
            Assert.True(range.IsValid(TimeSpan.FromMinutes(1)));
            Assert.False(range.IsValid(TimeSpan.FromMilliseconds(9)));
            Assert.False(range.IsValid(TimeSpan.FromMinutes(1) + TimeSpan.FromTicks(1)));
            Assert.Equal("The field Delay must be between 00:00:00.0100000 and 00:01:00.",
                range.GetValidationResult(TimeSpan.Zero, new ValidationContext(new object()) { DisplayName = "Delay" })?.ErrorMessage);
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }

    [Fact]
    public void Many_threads_validating_a_fresh_attribute_at_once_never_fail()
    {
        var failures = 0;
        for (var round = 0; round < 500; round++)
        {
            var range = new TimeSpanRangeAttribute("00:00:01", "00:01:00");
            using var start = new ManualResetEventSlim();
            var threads = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
            {
                start.Wait();
                try
                {
                    range.IsValid(TimeSpan.FromSeconds(5));
                }
                catch (InvalidCastException)
                {
                    Interlocked.Increment(ref failures);
                }
            })).ToList();
            threads.ForEach(thread => thread.Start());
            start.Set();
            threads.ForEach(thread => thread.Join());
        }

        Assert.Equal(0, failures);
    }
}

using CsCheck;

namespace AuthApp.Domain.Tests;

public sealed class TimeZonesTests
{
    [Theory]
    [InlineData("America")]
    [InlineData("Europe")]
    [InlineData("Etc")]
    [InlineData("posix")]
    [InlineData("right")]
    [InlineData("posix/Europe/Paris")]
    [InlineData("right/UTC")]
    [InlineData("../../etc/passwd")]
    [InlineData("zone.tab")]
    [InlineData("localtime")]
    [InlineData("Europe/Paris ")]
    [InlineData("")]
    public void Directories_files_and_paths_of_the_tz_database_are_not_time_zones(string id)
    {
        Assert.False(TimeZones.IsValid(id));
        Assert.False(TimeZones.TryFind(id, out var zone));
        Assert.Equal(TimeZoneInfo.Utc, zone);
    }

    [Theory]
    [InlineData("Europe/Paris")]
    [InlineData("Asia/Kolkata")]
    [InlineData("Asia/Calcutta")]
    [InlineData("America/Argentina/Buenos_Aires")]
    [InlineData("UTC")]
    [InlineData("Etc/UTC")]
    public void Iana_zones_and_their_aliases_are_found(string id)
    {
        Assert.True(TimeZones.TryFind(id, out var zone));
        Assert.NotNull(zone);
    }

    [Fact]
    public void No_text_makes_the_check_throw() =>
        Gen.String.Sample(id => TimeZones.IsValid(id) == TimeZones.TryFind(id, out _), iter: 20_000);

    [Fact]
    public void No_path_shaped_text_makes_the_check_throw() =>
        Gen.Select(Gen.OneOf(Gen.Const("America"), Gen.Const("Europe"), Gen.Const("posix"), Gen.Const("right"), Gen.Const("Etc"), Gen.Const(".."), Gen.Const("."), Gen.Const(""), Gen.Const("Asia")), Gen.String[0, 12], Gen.Int[0, 3])
            .Sample((root, tail, depth) =>
            {
                var id = string.Join('/', Enumerable.Repeat(root, depth + 1)) + (tail.Length > 0 ? "/" + tail : "");
                TimeZones.TryFind(id, out _);
            }, iter: 5_000);
}

namespace AuthApp.Domain.Tests;

public sealed class NamesTests
{
    [Theory]
    [InlineData("kitchen")]
    [InlineData("0")]
    [InlineData("Living room")]
    [InlineData("சமையலறை")]
    public void Ordinary_names_are_valid(string name) => Assert.True(Names.IsValid(name));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("a.b")]
    [InlineData("__created")]
    [InlineData("faults")]
    [InlineData("\u0001")]
    public void Keys_the_database_refuses_and_reserved_children_are_not_names(string? name) => Assert.False(Names.IsValid(name));

    [Fact]
    public void A_name_may_be_100_characters_long_and_no_longer()
    {
        Assert.True(Names.IsValid(new string('a', UserDataLimits.MaxNameLength)));
        Assert.False(Names.IsValid(new string('a', UserDataLimits.MaxNameLength + 1)));
    }
}

namespace AuthApp.Api.Tests.Infrastructure;

/// <summary>
/// An API whose voice commands go to a <see cref="FakeGemini"/> of its own: one pair per class of voice tests (the
/// tests of a class run one after the other, so what the fake received is theirs).
/// </summary>
public sealed class VoiceApi(ApiDependencies dependencies) : IAsyncLifetime
{
    public FakeGemini Gemini { get; private set; } = null!;

    public ApiFactory Api { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Gemini = await FakeGemini.StartAsync();
        Api = new ApiFactory(dependencies, settings: new Dictionary<string, string?> { [Gemini.Setting.Key] = Gemini.Setting.Value });
    }

    public async ValueTask DisposeAsync()
    {
        await Api.DisposeAsync();
        await Gemini.DisposeAsync();
    }
}

namespace AuthApp.Api.Voice;

/// <summary>Turns a spoken command (English or Tamil) into a device action, with the user's own model key.</summary>
public interface IVoiceInterpreter
{
    /// <summary>The model's reading of <paramref name="text"/>, or <c>null</c> when it gave no usable answer.</summary>
    Task<VoiceIntent?> InterpretAsync(string apiKey, string text, VoiceContext context, CancellationToken cancellationToken);
}

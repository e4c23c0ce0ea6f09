using System.Text.Json.Nodes;
using AuthApp.Api.Errors;
using AuthApp.Api.Users;
using AuthApp.Api.Venues;
using AuthApp.Domain.Users;
using AuthApp.Firebase.Database;

namespace AuthApp.Api.Voice;

/// <summary>
/// Voice commands: the user's own Gemini key (kept server-side under <c>secure/</c>), the model's reading
/// of the command, and a check of that reading against the user's real venues, devices and allowed values
/// before anything is written.
/// </summary>
public sealed class VoiceService(IFirebaseDatabase database, UserRecords records, IVoiceInterpreter interpreter, VenueService venues)
{
    public async Task SetKeyAsync(string uid, string apiKey, CancellationToken cancellationToken)
    {
        // The endpoint validated it; the service refuses it too, so that no caller can store a key that cannot be sent.
        var key = VoiceKeys.Normalize(apiKey);
        if (!VoiceKeys.IsSendable(key))
        {
            throw FieldErrors.Invalid("apiKey", VoiceKeys.Rule);
        }

        await database.SetAsync(UserPaths.GeminiKey(uid), JsonValue.Create(key), cancellationToken);
    }

    public async Task<bool> KeyExistsAsync(string uid, CancellationToken cancellationToken) =>
        await database.GetAsync(UserPaths.GeminiKey(uid), cancellationToken: cancellationToken) is JsonValue;

    public async Task<VoiceIntent> ApplyAsync(string uid, string text, CancellationToken cancellationToken)
    {
        // Whatever is stored (written before keys were checked, or by hand): only a key that can be sent is used.
        var stored = await database.GetAsync(UserPaths.GeminiKey(uid), cancellationToken: cancellationToken)
            ?? throw AppError.BadRequest(ProblemCodes.VoiceKeyMissing, "No Gemini API key is set; set one with /auth/set_voice_key.");
        var apiKey = JsonShapes.Text(stored);
        if (!VoiceKeys.IsSendable(apiKey))
        {
            throw VoiceKeys.StoredKeyUnusable();
        }

        var context = await LoadContextAsync(uid, cancellationToken);
        if (context.Venues.Count == 0)
        {
            throw AppError.BadRequest(ProblemCodes.NoDevices, "Add a venue and a device before using voice commands.");
        }

        var intent = await interpreter.InterpretAsync(apiKey, text, context, cancellationToken)
            ?? throw Unclear();

        // The model is not trusted: its answer must name a real venue, a real device of it and an allowed value.
        if (!context.Venues.TryGetValue(intent.Venue, out var devices)
            || !devices.ContainsKey(intent.Device)
            || !DeviceValues.IsAllowed(intent.Value))
        {
            throw Unclear();
        }

        await venues.SetDeviceStateAsync(uid, intent.Venue, intent.Device, intent.Value, cancellationToken);
        return intent;
    }

    private async Task<VoiceContext> LoadContextAsync(string uid, CancellationToken cancellationToken)
    {
        var stored = await records.ReadVenuesAsync(uid, cancellationToken);
        return new VoiceContext(VenueData.NamesOf(stored).ToDictionary(
            venue => venue, venue => VenueData.Devices(stored[venue]), StringComparer.Ordinal));
    }

    private static AppError Unclear() => AppError.Unprocessable(ProblemCodes.VoiceCommandNotUnderstood,
        "The command could not be matched to one of your devices and an allowed value; nothing was changed.");
}

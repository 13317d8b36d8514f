using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using S2cd.Contract;
using S2cd.Security;

namespace S2cd.Conference;

/// <summary>
/// The call this daemon is in, as a restart needs it: session, relay, display name, mute and camera, and the key
/// stretched from the passphrase (the passphrase itself is never written). <see cref="InCallUnixMs"/> is when the
/// daemon was last in the call: the memory is fresh while that is within Conference:RejoinWindow.
/// </summary>
internal sealed record RememberedCall
{
    public required string Session { get; init; }

    public required string Relay { get; init; }

    public required string Name { get; init; }

    public bool Muted { get; init; }

    public bool CameraOn { get; init; } = true;

    /// <summary>Base64 of the 32-byte key <see cref="Announcement.DerivePassphraseKey"/> made, or null without a passphrase.</summary>
    public string? PassphraseKey { get; init; }

    public long InCallUnixMs { get; init; }

    /// <summary>What is wrong with a remembered call read back from disk, or null.</summary>
    public string? Check() =>
        NameRules.CheckSession(Session) is { } session ? $"session: {session}"
        : NameRules.TryParseRelays(Relay, out _) is { } relay ? $"relay: {relay}"
        : NameRules.CheckDisplayName(Name) is { } name ? $"name: {name}"
        : PassphraseKey is not null && (PassphraseKey.Length != 44 || !Convert.TryFromBase64String(PassphraseKey, new byte[32], out var length) || length != 32)
            ? "passphrase key: not 32 bytes of base64"
        : InCallUnixMs <= 0 ? "no time in the call" : null;
}

/// <summary>
/// Keeps <see cref="RememberedCall"/> in the state directory as session.json, 0600, replaced atomically; a file that
/// cannot be read back is dropped with one log line.
/// </summary>
internal sealed partial class SessionMemory(string stateDirectory, ILogger logger)
{
    public const string FileName = "session.json";
    private const int MaxBytes = 4096;

    public string Path { get; } = System.IO.Path.Combine(stateDirectory, FileName);

    public RememberedCall? Load()
    {
        try
        {
            using var file = File.OpenRead(Path);
            if (file.Length > MaxBytes)
            {
                return Drop($"larger than {MaxBytes} bytes");
            }

            var call = JsonSerializer.Deserialize(file, MemoryJson.Default.RememberedCall);
            return call is null ? Drop("empty") : call.Check() is { } problem ? Drop(problem) : call;
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
        catch (JsonException ex)
        {
            return Drop(ex.Message.ReplaceLineEndings(" "));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogUnreadable(Path, ex.Message);
            return null;
        }
    }

    /// <summary>Writes the memory; a full or read-only disk is logged, and the call goes on.</summary>
    public void Save(RememberedCall call)
    {
        try
        {
            StateDirectory.Ensure(System.IO.Path.GetDirectoryName(Path)!);
            StateDirectory.WriteSecret(Path, JsonSerializer.SerializeToUtf8Bytes(call, MemoryJson.Default.RememberedCall));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogUnwritable(Path, ex.Message);
        }
    }

    public void Forget()
    {
        try
        {
            File.Delete(Path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogUnwritable(Path, ex.Message);
        }
    }

    private RememberedCall? Drop(string why)
    {
        LogDropped(Path, why);
        Forget();
        return null;
    }

    [LoggerMessage(EventId = LogEvents.Dropped, Level = LogLevel.Warning, Message = "Ignored the remembered call in {Path}: {Why}")]
    private partial void LogDropped(string path, string why);

    [LoggerMessage(EventId = LogEvents.Unreadable, Level = LogLevel.Warning, Message = "Cannot read the remembered call in {Path}: {Why}")]
    private partial void LogUnreadable(string path, string why);

    [LoggerMessage(EventId = LogEvents.Unwritable, Level = LogLevel.Warning, Message = "Cannot keep the remembered call in {Path}: {Why}; a restart will not rejoin")]
    private partial void LogUnwritable(string path, string why);
}

[JsonSourceGenerationOptions(UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip)]
[JsonSerializable(typeof(RememberedCall))]
internal sealed partial class MemoryJson : JsonSerializerContext;

using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;
using StreamJsonRpc;

namespace S2cd.Contract;

/// <summary>The JSON settings both ends of the control socket use.</summary>
public static class ControlJson
{
    /// <summary>
    /// Makes serializer options: camelCase names, enums as camelCase strings, nulls left out, bounded depth, and the
    /// metadata of every type of the contract generated at build time (no reflection: s2c-attach is NativeAOT).
    /// </summary>
    public static JsonSerializerOptions CreateOptions() => new(ControlJsonContext.Default.Options)
    {
        // View frames are mostly non-ASCII block characters: keep them as UTF-8 instead of \uXXXX escapes.
        // Control characters are still escaped; nothing here is ever embedded in HTML.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>
    /// The JSON-RPC formatter both ends use, on <see cref="CreateOptions"/>: every type the control API carries has
    /// build-time metadata, so the formatter never falls back to reflection (both programs are NativeAOT).
    /// </summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Every type on the wire has build-time JSON metadata (ControlJsonContext).")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Every type on the wire has build-time JSON metadata (ControlJsonContext).")]
    public static SystemTextJsonFormatter CreateFormatter() => new() { JsonSerializerOptions = CreateOptions() };
}

/// <summary>Build-time JSON metadata of the control contract's types.</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    MaxDepth = 16,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [
        typeof(CamelCaseEnum<ConnectionState>), typeof(CamelCaseEnum<ControlEventKind>), typeof(CamelCaseEnum<DeviceCondition>),
        typeof(CamelCaseEnum<MediaPathKind>), typeof(CamelCaseEnum<LinkEncryption>), typeof(CamelCaseEnum<EndToEndState>),
        typeof(CamelCaseEnum<Trust>), typeof(CamelCaseEnum<FabricState>), typeof(CamelCaseEnum<ProblemKind>),
        typeof(CamelCaseEnum<DaemonRole>), typeof(CamelCaseEnum<TransmitMode>)])]
[JsonSerializable(typeof(HelloResult))]
[JsonSerializable(typeof(StatusResult))]
[JsonSerializable(typeof(JoinRequest))]
[JsonSerializable(typeof(ParticipantInfo[]))]
[JsonSerializable(typeof(DevicesResult))]
[JsonSerializable(typeof(ViewRequest))]
[JsonSerializable(typeof(ViewFrame))]
[JsonSerializable(typeof(ViewSettings))]
[JsonSerializable(typeof(ControlEvent))]
[JsonSerializable(typeof(ChatMessage))]
[JsonSerializable(typeof(ChatMessage[]))]
[JsonSerializable(typeof(ScreenText))]
[JsonSerializable(typeof(ShareAnswer))]
[JsonSerializable(typeof(byte[]))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(string))]

// The data StreamJsonRpc attaches to an error it makes itself (a parameter that does not parse, for one).
[JsonSerializable(typeof(StreamJsonRpc.Protocol.CommonErrorData))]
public sealed partial class ControlJsonContext : JsonSerializerContext;

/// <summary>An enum as its member's name in camelCase (<c>"connected"</c>), as the wire has always had it.</summary>
public sealed class CamelCaseEnum<TEnum>() : JsonStringEnumConverter<TEnum>(JsonNamingPolicy.CamelCase)
    where TEnum : struct, Enum;

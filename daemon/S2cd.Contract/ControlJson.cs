using System.Text.Json;
using System.Text.Json.Serialization;

namespace S2cd.Contract;

/// <summary>The JSON settings both ends of the control socket use.</summary>
public static class ControlJson
{
    /// <summary>Makes serializer options: camelCase names, enums as camelCase strings, bounded depth.</summary>
    public static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            MaxDepth = 16,

            // View frames are mostly non-ASCII block characters: keep them as UTF-8 instead of \uXXXX escapes.
            // Control characters are still escaped; nothing here is ever embedded in HTML.
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        return options;
    }
}

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
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        return options;
    }
}

using S2cd.Video;

namespace S2cd.Render;

/// <summary>What one participant's tile shows.</summary>
internal sealed record Tile(string Name, bool IsSelf, bool Muted, bool CameraOn, bool Speaking, Picture? Picture, double Fps, bool Refused = false);

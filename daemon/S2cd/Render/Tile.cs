using S2cd.Video;

namespace S2cd.Render;

/// <summary>What one participant's tile shows: its camera's picture, or (<see cref="Screen"/>) the terminal screen it shares.</summary>
internal sealed record Tile(string Name, bool IsSelf, bool Muted, bool CameraOn, bool Speaking, Picture? Picture, double Fps, bool Refused = false, S2cd.Contract.ScreenGrid? Screen = null);

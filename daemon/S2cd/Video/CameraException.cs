namespace S2cd.Video;

/// <summary>A camera could not be opened or stopped delivering pictures.</summary>
internal sealed class CameraException(string message) : Exception(message);

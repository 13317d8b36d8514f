namespace S2cd.Wire;

/// <summary>The frame types of the daemon–relay wire protocol (see PROTOCOL.md).</summary>
internal enum FrameType : byte
{
    Hello = 0x01,
    Welcome = 0x02,
    Presence = 0x03,
    State = 0x04,
    Leave = 0x05,
    DatagramSetup = 0x06,
    MediaPath = 0x07,
    Media = 0x10,
    MediaForward = 0x11,
    Signal = 0x12,
    SignalForward = 0x13,
    Ping = 0x20,
    Pong = 0x21,
    Error = 0x7F,
}

using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace S2cd.Contract;

/// <summary>
/// A shared screen on the wire: the runs of cells that changed since the state the receiver has (or every cell, for a
/// full state), deflated. A header of 14 bytes says what it is (<c>u8 version 1, u8 flags (1 full, 2 ended), u16 cols,
/// u16 rows, u32 sequence, u32 base</c>); a diff applies only to the state numbered <c>base</c>, so a receiver that
/// missed one waits for the next full state (or asks for it) and never shows a screen half of one and half of another.
/// The body is runs of <c>u16 row, u16 col, u16 count</c> and that many cells, a cell being <c>u8 style (bit 7: the
/// colours of the cell before), [i32 fg, i32 bg], u8 width, u8 length, UTF-8</c>, then <c>u16 0xFFFF</c> (so a body cut
/// short is seen). Reading checks every bound.
/// </summary>
public static class ScreenUpdate
{
    /// <summary>Bytes of the header.</summary>
    public const int HeaderBytes = 14;

    /// <summary>
    /// The largest update (compressed) anyone sends or takes: in base64 on the control socket it stays within a
    /// message (<see cref="ControlProtocol.MaxMessageBytes"/>).
    /// </summary>
    public const int MaxBytes = 40 * 1024;

    private const byte Version = 1;
    private const byte SameColours = 0x80;
    private const ushort EndOfRuns = 0xFFFF;
    private const int MaxCellBytes = 24;
    private const int MaxBodyBytes = 2 * 1024 * 1024;
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>What an update is.</summary>
    [Flags]
    public enum Flags : byte
    {
        /// <summary>Changed runs since the base state.</summary>
        Diff = 0,

        /// <summary>Every cell.</summary>
        Full = 1,

        /// <summary>The share has ended (no cells).</summary>
        Ended = 2,
    }

    /// <summary>What reading an update did.</summary>
    public enum Result
    {
        /// <summary>The grid is the new state.</summary>
        Applied,

        /// <summary>A diff on a state the receiver does not have: nothing changed; a full state is needed.</summary>
        NeedsFull,

        /// <summary>The share has ended.</summary>
        Ended,

        /// <summary>Not an update: nothing changed.</summary>
        Malformed,
    }

    /// <summary>
    /// The update from <paramref name="shown"/> (the state the receivers have, null for none) to <paramref name="now"/>:
    /// a full state when <paramref name="full"/>, when there is no shown state or its size differs.
    /// </summary>
    public static byte[] Encode(ScreenGrid? shown, ScreenGrid now, bool full)
    {
        full |= shown is null || shown.Cols != now.Cols || shown.Rows != now.Rows;
        using var body = new MemoryStream();
        using (var deflate = new DeflateStream(body, CompressionLevel.Fastest, leaveOpen: true))
        {
            var writer = new BinaryWriter(deflate);
            for (var row = 0; row < now.Rows; row++)
            {
                var col = 0;
                while (col < now.Cols)
                {
                    if (!full && shown!.At(col, row) == now.At(col, row))
                    {
                        col++;
                        continue;
                    }

                    var start = col;
                    while (col < now.Cols && (full || shown!.At(col, row) != now.At(col, row) || (col + 1 < now.Cols && shown.At(col + 1, row) != now.At(col + 1, row))))
                    {
                        col++;
                    }

                    WriteRun(writer, now, row, start, col - start);
                }
            }

            writer.Write(EndOfRuns);
            writer.Flush();
        }

        var update = new byte[HeaderBytes + body.Length];
        update[0] = Version;
        update[1] = (byte)(full ? Flags.Full : Flags.Diff);
        BinaryPrimitives.WriteUInt16BigEndian(update.AsSpan(2), (ushort)now.Cols);
        BinaryPrimitives.WriteUInt16BigEndian(update.AsSpan(4), (ushort)now.Rows);
        BinaryPrimitives.WriteUInt32BigEndian(update.AsSpan(6), now.Sequence);
        BinaryPrimitives.WriteUInt32BigEndian(update.AsSpan(10), full ? 0 : shown!.Sequence);
        body.GetBuffer().AsSpan(0, (int)body.Length).CopyTo(update.AsSpan(HeaderBytes));
        return update;
    }

    /// <summary>The update that says the share has ended.</summary>
    public static byte[] Ended(uint sequence)
    {
        var update = new byte[HeaderBytes];
        update[0] = Version;
        update[1] = (byte)Flags.Ended;
        BinaryPrimitives.WriteUInt16BigEndian(update.AsSpan(2), 1);
        BinaryPrimitives.WriteUInt16BigEndian(update.AsSpan(4), 1);
        BinaryPrimitives.WriteUInt32BigEndian(update.AsSpan(6), sequence);
        return update;
    }

    /// <summary>
    /// Applies <paramref name="update"/> to <paramref name="grid"/> (null: no state yet). On <see cref="Result.Applied"/>
    /// the grid is the new state (a new grid for a full state); on anything else it is unchanged.
    /// </summary>
    public static Result Apply(ReadOnlySpan<byte> update, ref ScreenGrid? grid)
    {
        if (update.Length < HeaderBytes || update.Length > MaxBytes || update[0] != Version || update[1] > (byte)Flags.Ended)
        {
            return Result.Malformed;
        }

        var flags = (Flags)update[1];
        int cols = BinaryPrimitives.ReadUInt16BigEndian(update[2..]), rows = BinaryPrimitives.ReadUInt16BigEndian(update[4..]);
        var sequence = BinaryPrimitives.ReadUInt32BigEndian(update[6..]);
        var basis = BinaryPrimitives.ReadUInt32BigEndian(update[10..]);
        if (flags == Flags.Ended)
        {
            return update.Length == HeaderBytes ? Result.Ended : Result.Malformed;
        }

        if (cols is < 1 or > ScreenGrid.MaxCols || rows is < 1 or > ScreenGrid.MaxRows)
        {
            return Result.Malformed;
        }

        var full = flags == Flags.Full;
        if (!full && (grid is null || grid.Cols != cols || grid.Rows != rows || grid.Sequence != basis))
        {
            return Result.NeedsFull;
        }

        var next = full ? new ScreenGrid(cols, rows) : grid!.Copy();
        try
        {
            ReadRuns(Inflate(update[HeaderBytes..]), next);
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or DecoderFallbackException)
        {
            return Result.Malformed;
        }

        next.Sequence = sequence;
        grid = next;
        return Result.Applied;
    }

    private static void WriteRun(BinaryWriter writer, ScreenGrid grid, int row, int col, int count)
    {
        writer.Write(BinaryPrimitives.ReverseEndianness((ushort)row));
        writer.Write(BinaryPrimitives.ReverseEndianness((ushort)col));
        writer.Write(BinaryPrimitives.ReverseEndianness((ushort)count));
        ScreenCell? before = null;
        Span<byte> text = stackalloc byte[MaxCellBytes];
        for (var i = col; i < col + count; i++)
        {
            var cell = grid.At(i, row);
            var same = before is { } b && b.Fg == cell.Fg && b.Bg == cell.Bg;
            writer.Write((byte)((byte)cell.Style | (same ? SameColours : 0)));
            if (!same)
            {
                writer.Write(BinaryPrimitives.ReverseEndianness(cell.Fg));
                writer.Write(BinaryPrimitives.ReverseEndianness(cell.Bg));
            }

            writer.Write(cell.Width);
            var length = Encoding.UTF8.GetBytes(cell.Text.Length * 3 > MaxCellBytes ? FitCell(cell.Text) : cell.Text, text);
            writer.Write((byte)length);
            writer.Write(text[..length]);
            before = cell;
        }
    }

    /// <summary>A cluster cut to what a cell carries (a long combining sequence keeps its first characters).</summary>
    private static string FitCell(string text)
    {
        while (Encoding.UTF8.GetByteCount(text) > MaxCellBytes)
        {
            text = text[..^1];
        }

        return text;
    }

    private static byte[] Inflate(ReadOnlySpan<byte> body)
    {
        using var deflate = new DeflateStream(new MemoryStream(body.ToArray()), CompressionMode.Decompress);
        using var inflated = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = deflate.Read(buffer)) > 0)
        {
            if (inflated.Length + read > MaxBodyBytes)
            {
                throw new InvalidDataException("an update larger than any screen");
            }

            inflated.Write(buffer, 0, read);
        }

        return inflated.ToArray();
    }

    private static void ReadRuns(byte[] body, ScreenGrid grid)
    {
        var at = 0;
        while (true)
        {
            var row = Take16(body, ref at);
            if (row == EndOfRuns)
            {
                // The end, where a body cut short (deflate reads what it has) has none.
                if (at != body.Length)
                {
                    throw new InvalidDataException("bytes after the end");
                }

                return;
            }

            var col = Take16(body, ref at);
            var count = Take16(body, ref at);
            if (row >= grid.Rows || col >= grid.Cols || count < 1 || col + count > grid.Cols)
            {
                throw new InvalidDataException("a run outside the screen");
            }

            int fg = ScreenCell.DefaultColor, bg = ScreenCell.DefaultColor;
            for (var i = 0; i < count; i++)
            {
                var style = Take(body, ref at);
                if ((style & SameColours) == 0)
                {
                    fg = Colour(body, ref at);
                    bg = Colour(body, ref at);
                }
                else if (i == 0)
                {
                    throw new InvalidDataException("a run's first cell without colours");
                }

                var width = Take(body, ref at);
                var length = Take(body, ref at);
                if (width > 2 || (style & 0x7F) > 0x1F || length > MaxCellBytes || at + length > body.Length)
                {
                    throw new InvalidDataException("a malformed cell");
                }

                var text = Strict.GetString(body, at, length);
                at += length;
                grid.At(col + i, row) = new ScreenCell(text, width, fg, bg, (CellStyle)(style & 0x1F));
            }
        }
    }

    private static int Colour(byte[] body, ref int at)
    {
        if (at + 4 > body.Length)
        {
            throw new EndOfStreamException();
        }

        var colour = BinaryPrimitives.ReadInt32BigEndian(body.AsSpan(at));
        at += 4;
        return colour is ScreenCell.DefaultColor or (>= 0 and <= 0xFFFFFF) ? colour : throw new InvalidDataException("a colour out of range");
    }

    private static int Take16(byte[] body, ref int at)
    {
        if (at + 2 > body.Length)
        {
            throw new EndOfStreamException();
        }

        at += 2;
        return BinaryPrimitives.ReadUInt16BigEndian(body.AsSpan(at - 2));
    }

    private static byte Take(byte[] body, ref int at) => at < body.Length ? body[at++] : throw new EndOfStreamException();
}

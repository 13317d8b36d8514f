using System.Text;

namespace S2cd.Render;

internal static partial class AnsiWriter
{
    /// <summary>The colours the terminal has set, and how a cell's colours are written from there.</summary>
    private struct Pen(ColorDepth colors)
    {
        public int Fg = int.MinValue;
        public int Bg = int.MinValue;

        /// <summary>How far a cell's colour may be from the pen's for the pen's to be taken.</summary>
        public int Share;

        /// <summary>Sets the colours, writing one sequence for what changed.</summary>
        public void Set(StringBuilder output, int fg, int bg)
        {
            if (fg == Fg && bg == Bg)
            {
                return;
            }

            output.Append(Esc);
            if (fg != Fg)
            {
                Color(output, fg, foreground: true);
                Fg = fg;
                if (bg != Bg)
                {
                    output.Append(';');
                }
            }

            if (bg != Bg)
            {
                Color(output, bg, foreground: false);
                Bg = bg;
            }

            output.Append('m');
        }

        /// <summary>
        /// The cheapest way to write a picture cell from here: a colour within the tolerance of one already set is
        /// taken as it is, and a half-block cell may be turned over (▄ with the colours swapped) or, when its halves
        /// look alike, become a space or █ of one colour.
        /// </summary>
        public readonly Cell Cheapest(Cell cell)
        {
            // The colours the terminal will show, so that the pen's are compared with what they stand for.
            cell = AsShown(cell, colors);
            if (!IsHalves(cell.Ch) || cell.Ch == ' ')
            {
                cell.Fg = Take(Fg, cell.Fg);
                cell.Bg = Take(Bg, cell.Bg);
                return cell;
            }

            var (top, bottom) = Halves(cell);
            var best = Form(UpperHalf, top, bottom, cell);
            var bestCost = Cost(best);
            var alike = Close(top, bottom, Share);
            if (bestCost == 3 && !alike)
            {
                // Both colours already set: nothing is cheaper (the common case inside an evened-out run).
                return best;
            }

            Consider(Form(LowerHalf, bottom, top, cell), ref best, ref bestCost);
            if (alike)
            {
                // One colour for both halves: kept from the pen when it suits either half, else the top's.
                var one = Close(Bg, top, Share) && Close(Bg, bottom, Share) ? Bg : Close(Fg, top, Share) && Close(Fg, bottom, Share) ? Fg : top;
                Consider(Form(' ', Fg, one, cell), ref best, ref bestCost);
                Consider(Form(FullBlock, one, Bg, cell), ref best, ref bestCost);
            }

            return best;
        }

        private readonly void Consider(Cell candidate, ref Cell best, ref int bestCost)
        {
            var cost = Cost(candidate);
            if (cost < bestCost)
            {
                best = candidate;
                bestCost = cost;
            }
        }

        private readonly Cell Form(char ch, int fg, int bg, Cell like)
        {
            like.Ch = ch;
            like.Fg = ch == ' ' ? Fg : Take(Fg, fg);
            like.Bg = ch == FullBlock ? Bg : Take(Bg, bg);
            return like;
        }

        /// <summary>The pen's colour when it is within the tolerance of the one wanted, else the one wanted.</summary>
        private readonly int Take(int current, int wanted) => current != int.MinValue && Close(current, wanted, Share) ? current : wanted;

        /// <summary>Bytes of writing <paramref name="cell"/> from here: its character and the sequence it needs.</summary>
        private readonly int Cost(in Cell cell)
        {
            var fgChanges = cell.Ch != ' ' && cell.Fg != Fg;
            var bgChanges = cell.Ch != FullBlock && cell.Bg != Bg;
            var bytes = cell.Ch == ' ' ? 1 : 3;
            if (fgChanges || bgChanges)
            {
                bytes += 3 + (fgChanges && bgChanges ? 1 : 0);
            }

            return bytes + (fgChanges ? ColorLength(cell.Fg) : 0) + (bgChanges ? ColorLength(cell.Bg) : 0);
        }

        private readonly int ColorLength(int rgb)
        {
            if (rgb < 0)
            {
                return 2;
            }

            return colors == ColorDepth.TrueColor
                ? 7 + Digits((rgb >> 16) & 0xFF) + Digits((rgb >> 8) & 0xFF) + Digits(rgb & 0xFF)
                : 5 + Digits(Xterm256((rgb >> 16) & 0xFF, (rgb >> 8) & 0xFF, rgb & 0xFF));
        }

        private readonly void Color(StringBuilder output, int rgb, bool foreground)
        {
            if (rgb == Cell.Default || rgb == int.MinValue)
            {
                output.Append(foreground ? "39" : "49");
                return;
            }

            int r = (rgb >> 16) & 0xFF, g = (rgb >> 8) & 0xFF, b = rgb & 0xFF;
            if (colors == ColorDepth.TrueColor)
            {
                output.Append(foreground ? "38;2;" : "48;2;").Append(r).Append(';').Append(g).Append(';').Append(b);
            }
            else
            {
                output.Append(foreground ? "38;5;" : "48;5;").Append(Xterm256(r, g, b));
            }
        }
    }
}

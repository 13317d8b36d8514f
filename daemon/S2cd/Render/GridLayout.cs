namespace S2cd.Render;

/// <summary>Places N tiles in a grid over an area, choosing the column count that gives pictures the most room.</summary>
internal static class GridLayout
{
    /// <summary>The picture aspect tiles are planned for (4:3, the default camera's).</summary>
    private const double PlanWidth = 4;
    private const double PlanHeight = 3;

    public static (int Columns, int Rows) Choose(int count, int cols, int rows)
    {
        if (count <= 1)
        {
            return (1, 1);
        }

        var best = (Columns: 1, Rows: count);
        var bestArea = -1L;
        for (var c = 1; c <= count; c++)
        {
            var r = (count + c - 1) / c;
            var tileCols = cols / c;
            var tileRows = (rows / r) - 1;
            if (tileCols < 1 || tileRows < 1)
            {
                continue;
            }

            var (pc, pr) = PictureRenderer.Fit((int)(PlanWidth * 100), (int)(PlanHeight * 100), tileCols, tileRows);
            var area = (long)pc * pr;
            if (area > bestArea)
            {
                bestArea = area;
                best = (c, r);
            }
        }

        return best;
    }
}

using System.Globalization;

namespace S2cd.Benchmarks.Harness;

/// <summary>
/// The figures of a benchmark, gathered round by round into tables (rows × columns, a list of values per cell, one
/// value a round) and printed as min–max over the rounds, as text or as the benchmark page's Markdown tables.
/// </summary>
internal sealed class Figures
{
    private readonly List<Table> _tables = [];

    /// <summary>Notes printed under a table once (what the figures are of, how they were made).</summary>
    public void Note(string table, string note)
    {
        var t = Find(table);
        if (!t.Notes.Contains(note))
        {
            t.Notes.Add(note);
        }
    }

    /// <summary>One figure of the current round, <paramref name="format"/> as for double.ToString, <paramref name="unit"/> after the range.</summary>
    public void Add(string table, string row, string column, double value, string format = "0.0", string unit = "")
    {
        if (!double.IsFinite(value))
        {
            throw new NothingMeasuredException($"{table}: {row}, {column} is {value}");
        }

        var t = Find(table);
        if (!t.Rows.Contains(row))
        {
            t.Rows.Add(row);
        }

        if (!t.Columns.Contains(column))
        {
            t.Columns.Add(column);
        }

        var key = (row, column);
        if (!t.Cells.TryGetValue(key, out var cell))
        {
            cell = new Cell(format, unit);
            t.Cells[key] = cell;
        }

        cell.Values.Add(value);
    }

    /// <summary>A figure that is the same kind of text in every round (a target, a setting): shown once.</summary>
    public void Text(string table, string row, string column, string text)
    {
        var t = Find(table);
        if (!t.Rows.Contains(row))
        {
            t.Rows.Add(row);
        }

        if (!t.Columns.Contains(column))
        {
            t.Columns.Add(column);
        }

        t.Texts[(row, column)] = text;
    }

    public void Write(TextWriter output, bool markdown)
    {
        foreach (var table in _tables)
        {
            var cells = table.Rows.Select(r => table.Columns.Select(c => Show(table, r, c)).ToArray()).ToArray();
            if (markdown)
            {
                output.WriteLine($"**{table.Name}**");
                output.WriteLine();
                output.WriteLine($"| | {string.Join(" | ", table.Columns)} |");
                output.WriteLine($"|---|{string.Concat(table.Columns.Select(_ => "---|"))}");
                for (var r = 0; r < table.Rows.Count; r++)
                {
                    output.WriteLine($"| {table.Rows[r]} | {string.Join(" | ", cells[r])} |");
                }

                output.WriteLine();
                foreach (var note in table.Notes)
                {
                    output.WriteLine(note);
                    output.WriteLine();
                }

                continue;
            }

            output.WriteLine(table.Name);
            var first = Math.Max(4, table.Rows.Max(r => r.Length));
            var widths = table.Columns.Select((c, i) => Math.Max(c.Length, cells.Max(row => row[i].Length))).ToArray();
            output.WriteLine($"  {new string(' ', first)}  {string.Join("  ", table.Columns.Select((c, i) => c.PadLeft(widths[i])))}");
            for (var r = 0; r < table.Rows.Count; r++)
            {
                output.WriteLine($"  {table.Rows[r].PadRight(first)}  {string.Join("  ", cells[r].Select((c, i) => c.PadLeft(widths[i])))}");
            }

            foreach (var note in table.Notes)
            {
                output.WriteLine($"  {note}");
            }

            output.WriteLine();
        }
    }

    /// <summary>min–max over the rounds, or one value where they print alike; "–" where a round had none.</summary>
    private static string Show(Table table, string row, string column)
    {
        if (table.Texts.TryGetValue((row, column), out var text))
        {
            return text;
        }

        if (!table.Cells.TryGetValue((row, column), out var cell))
        {
            return "–";
        }

        var inv = CultureInfo.InvariantCulture;
        var low = cell.Values.Min().ToString(cell.Format, inv);
        var high = cell.Values.Max().ToString(cell.Format, inv);
        var range = low == high ? low : $"{low}–{high}";
        return cell.Unit.Length == 0 ? range : cell.Unit == "%" ? range + "%" : $"{range} {cell.Unit}";
    }

    private Table Find(string name)
    {
        var table = _tables.FirstOrDefault(t => t.Name == name);
        if (table is null)
        {
            table = new Table(name);
            _tables.Add(table);
        }

        return table;
    }

    private sealed class Table(string name)
    {
        public string Name { get; } = name;

        public List<string> Rows { get; } = [];

        public List<string> Columns { get; } = [];

        public List<string> Notes { get; } = [];

        public Dictionary<(string Row, string Column), Cell> Cells { get; } = [];

        public Dictionary<(string Row, string Column), string> Texts { get; } = [];
    }

    private sealed class Cell(string format, string unit)
    {
        public string Format { get; } = format;

        public string Unit { get; } = unit;

        public List<double> Values { get; } = [];
    }
}

namespace S2cd.Control;

/// <summary>Looks up groups in /etc/group (the groups this service cares about are local system groups).</summary>
internal static class UnixGroups
{
    public static int? FindGroupId(string name, string path = "/etc/group")
    {
        if (!File.Exists(path))
        {
            return null;
        }

        foreach (var line in File.ReadLines(path))
        {
            var fields = line.Split(':');
            if (fields.Length >= 3 && fields[0] == name && int.TryParse(fields[2], out var gid))
            {
                return gid;
            }
        }

        return null;
    }
}

using System.Globalization;
using System.Net;
using System.Text;

namespace S2cd.Relay.Web;

/// <summary>
/// The web front's pages: plain server-rendered HTML, a little CSS, readable in w3m or lynx; one small script, the
/// copy button's, allowed by the content security policy by its hash (nothing else runs). Every value from outside is
/// HTML-encoded. They show how many members a session has and nothing of who they are.
/// </summary>
internal static class Pages
{
    /// <summary>The copy button's script: puts the one-line join on the clipboard, or selects it where that is refused.</summary>
    public const string CopyScript = """
        const b=document.getElementById("copy"),l=document.getElementById("join-line");
        b.addEventListener("click",()=>{const t=l.textContent;const pick=()=>{const r=document.createRange();r.selectNodeContents(l);const s=getSelection();s.removeAllRanges();s.addRange(r);b.textContent="Selected: press Ctrl+C";};
        if(navigator.clipboard){navigator.clipboard.writeText(t).then(()=>{b.textContent="Copied";},pick);}else{pick();}});
        """;

    /// <summary>The copy script's hash as the content security policy names it ('sha256-…').</summary>
    public static readonly string CopyScriptHash = "sha256-" + Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(CopyScript)));

    public static string Home(string? problem = null, string? session = null, string? hint = null, bool passphrase = false, bool token = false)
    {
        var body = new StringBuilder();
        body.Append("<h1>Start a call</h1>\n");
        body.Append("<p>Make a session on this relay and send its link or its command to the people you want in the call. ")
            .Append("Leave the name empty for one nobody can guess.</p>\n");
        if (problem is not null)
        {
            body.Append("<p class=\"problem\" id=\"problem\" role=\"alert\">").Append(Encode(problem)).Append("</p>\n");
        }

        body.Append("<form method=\"post\" action=\"/\">\n")
            .Append("<p><label for=\"session\">Session name (optional)</label><br>\n")
            .Append("<input id=\"session\" name=\"session\" maxlength=\"64\" value=\"").Append(Encode(session ?? string.Empty)).Append("\"> ")
            .Append("<small>letters, digits, '.', '_' and '-'</small></p>\n")
            .Append("<p><input type=\"checkbox\" id=\"passphrase\" name=\"passphrase\" value=\"on\"").Append(passphrase ? " checked" : string.Empty).Append("> ")
            .Append("<label for=\"passphrase\">Protect it with a passphrase</label> <small>(agree on it another way: the relay never sees it)</small></p>\n")
            .Append("<p><label for=\"hint\">Passphrase hint (optional)</label><br>\n")
            .Append("<input id=\"hint\" name=\"hint\" maxlength=\"").Append(SessionLinks.MaxHintLength.ToString(CultureInfo.InvariantCulture)).Append("\" value=\"").Append(Encode(hint ?? string.Empty)).Append("\"></p>\n")
            .Append(token ? "<p><label for=\"token\">Token (this relay makes sessions only for those who have it)</label><br>\n<input type=\"password\" id=\"token\" name=\"token\" maxlength=\"256\" autocomplete=\"off\" required></p>\n" : string.Empty)
            .Append("<p><button type=\"submit\" id=\"make\">Make the session</button></p>\n</form>\n");
        return Document("Start a call", body.ToString());
    }

    public static string Session(string name, int members, string command, string? joinLine, SessionLinks.Link? link)
    {
        var body = new StringBuilder();
        body.Append("<h1>Session ").Append(Encode(name)).Append("</h1>\n");
        body.Append("<p id=\"members\">").Append(members switch
        {
            0 => "Nobody is in it yet.",
            1 => "1 member is in it now.",
            _ => string.Create(CultureInfo.InvariantCulture, $"{members} members are in it now."),
        }).Append("</p>\n");
        if (joinLine is not null)
        {
            body.Append("<p>To join from any Linux terminal, s2cd installed or not (no root needed), paste this:</p>\n");
            body.Append("<pre><code id=\"join-line\">").Append(Encode(joinLine)).Append("</code></pre>\n");
            body.Append("<p><button type=\"button\" id=\"copy\">Copy</button> <small>It fetches a short script from this relay (open the link without ")
                .Append("<code>| sh</code> to read it first); without s2cd it downloads this relay's build into your home, checked by its SHA-256.</small></p>\n");
            body.Append("<p>With s2cd installed, this is the same:</p>\n");
        }
        else
        {
            body.Append("<p>To join, run this in a terminal with s2cd installed:</p>\n");
        }

        body.Append("<pre><code id=\"command\">").Append(Encode(command)).Append("</code></pre>\n");
        body.Append("<p><small>The fingerprint pins this relay's certificate: your daemon refuses any other, so nobody can put ")
            .Append("themselves between you and the relay.</small></p>\n");
        if (link?.Passphrase == true)
        {
            body.Append("<p id=\"passphrase-note\">This session has a passphrase: the command asks for it.");
            if (link.Hint is not null)
            {
                body.Append(" Hint: <q id=\"hint\">").Append(Encode(link.Hint)).Append("</q>");
            }

            body.Append("</p>\n");
        }

        body.Append("<p><a href=\"/s/").Append(Uri.EscapeDataString(name)).Append("\">Refresh</a> · <a href=\"/\">Start another call</a></p>\n");
        if (joinLine is not null)
        {
            body.Append("<script>").Append(CopyScript).Append("</script>\n");
        }

        return Document("Session " + name, body.ToString());
    }

    public static string Problem(string title, string message) =>
        Document(title, $"<h1>{Encode(title)}</h1>\n<p class=\"problem\" id=\"problem\" role=\"alert\">{Encode(message)}</p>\n<p><a href=\"/\">Start a call</a></p>\n");

    private static string Encode(string value) => WebUtility.HtmlEncode(value);

    private static string Document(string title, string body) => $$"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{Encode(title)}} · s2c relay</title>
        <style>
        body { font-family: system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }
        pre { background: #f4f4f4; padding: .75rem; overflow-x: auto; white-space: pre-wrap; word-break: break-all; }
        input:not([type=checkbox]) { width: 100%; max-width: 30rem; padding: .3rem; }
        .problem { color: #a00; font-weight: bold; }
        </style>
        </head>
        <body>
        <main>
        {{body}}</main>
        </body>
        </html>

        """;
}

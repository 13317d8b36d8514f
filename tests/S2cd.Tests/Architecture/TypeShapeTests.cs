using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using S2cd.Tests.Packaging;

namespace S2cd.Tests.Architecture;

/// <summary>
/// The size of each type of daemon/ and attach/, read from the sources with Roslyn's parser: lines over all of a
/// type's partial files (its nested types counted apart, its source-generated logging not at all), and instance fields
/// (fields, auto-properties, and a class's primary-constructor parameters). A type cut into partial files is still one
/// type. Data shapes whose only instance state is public auto-properties (configuration sections, contract records)
/// are as wide as their format (configuration keys, JSON names) and are left out.
/// </summary>
public sealed class TypeShapeTests
{
    private const int MaxLines = 400;
    private const int MaxFields = 15;

    [Fact]
    public void NoTypeIsLargerThan400Lines_OrHoldsMoreThan15Fields()
    {
        var shapes = Shapes();
        Assert.True(shapes.ContainsKey("S2cd.Conference.ConferenceLink"), "the sources were not read: " + string.Join(", ", shapes.Keys.Take(5)));
        var over = shapes.Where(s => !s.Value.Data && (s.Value.Lines > MaxLines || s.Value.Fields > MaxFields)).Select(s => $"{s.Key}: {s.Value.Lines} lines, {s.Value.Fields} fields").Order().ToList();
        Assert.True(over.Count == 0, $"over {MaxLines} lines or {MaxFields} fields (split by job):\n" + string.Join('\n', over));
    }

    [Fact]
    public void TheCounter_SeesPartialFilesAsOneType()
    {
        var shapes = Shapes(
            ("a.cs", "namespace N; partial class C { int a; int b; void M() { }\n}\n"),
            ("b.cs", "namespace N;\npartial class C(int p)\n{\n  string s = \"\";\n  public int P { get; set; }\n  public int Q => 1;\n  class Inner { int i; }\n}\n"),
            ("c.cs", "namespace N; class Data { public const int K = 1; public int X { get; init; } public int Y { get; set; } public int Z() => X; }"));
        Assert.Equal(2 + 7 - 1, shapes["N.C"].Lines);
        Assert.Equal(5, shapes["N.C"].Fields);
        Assert.Equal(1, shapes["N.C.Inner"].Fields);
        Assert.True(shapes["N.Data"].Data);
        Assert.False(shapes["N.C"].Data);
    }

    private static Dictionary<string, (int Lines, int Fields, bool Data)> Shapes()
    {
        var root = Run.RepositoryRoot();
        var files = new[] { "daemon", "attach" }
            .SelectMany(d => Directory.EnumerateFiles(Path.Combine(root, d), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal))
            .Select(f => (f, File.ReadAllText(f)));
        return Shapes([.. files]);
    }

    private static Dictionary<string, (int Lines, int Fields, bool Data)> Shapes(params (string Path, string Text)[] files)
    {
        var shapes = new Dictionary<string, (int Lines, int Fields, bool Data)>(StringComparer.Ordinal);
        foreach (var (path, text) in files)
        {
            var tree = CSharpSyntaxTree.ParseText(text, path: path, cancellationToken: TestContext.Current.CancellationToken);
            foreach (var type in tree.GetRoot(TestContext.Current.CancellationToken).DescendantNodes().OfType<TypeDeclarationSyntax>())
            {
                var name = string.Join('.', type.AncestorsAndSelf().Reverse().Select(n => n switch
                {
                    BaseNamespaceDeclarationSyntax ns => ns.Name.ToString(),
                    TypeDeclarationSyntax t => t.Identifier.Text,
                    _ => null,
                }).Where(n => n is not null));
                var lines = LineCount(type) - type.Members.OfType<TypeDeclarationSyntax>().Sum(LineCount);
                var fields = type.Members.OfType<FieldDeclarationSyntax>().Where(f => !IsStatic(f.Modifiers)).Sum(f => f.Declaration.Variables.Count)
                    + type.Members.OfType<PropertyDeclarationSyntax>().Count(IsAutoProperty)
                    + (type is ClassDeclarationSyntax { ParameterList: { } parameters } ? parameters.Parameters.Count : 0);
                var publicState = type.Members.OfType<PropertyDeclarationSyntax>().Count(p => IsAutoProperty(p) && p.Modifiers.Any(SyntaxKind.PublicKeyword) && !p.AccessorList!.Accessors.Any(a => a.Modifiers.Any()));
                var data = fields == publicState;
                var was = shapes.GetValueOrDefault(name, (Lines: 0, Fields: 0, Data: true));
                shapes[name] = (was.Lines + lines, was.Fields + fields, was.Data && data);
            }
        }

        return shapes;
    }

    private static int LineCount(SyntaxNode node)
    {
        var span = node.GetLocation().GetLineSpan();
        return span.EndLinePosition.Line - span.StartLinePosition.Line + 1;
    }

    private static bool IsStatic(SyntaxTokenList modifiers) => modifiers.Any(SyntaxKind.StaticKeyword) || modifiers.Any(SyntaxKind.ConstKeyword);

    private static bool IsAutoProperty(PropertyDeclarationSyntax p) =>
        !IsStatic(p.Modifiers) && !p.Modifiers.Any(SyntaxKind.AbstractKeyword) && p.AccessorList is { } accessors
        && accessors.Accessors.All(a => a.Body is null && a.ExpressionBody is null);
}

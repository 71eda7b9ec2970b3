using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace MicroGen.CodeFixes;

/// <summary>Small syntax helpers the fixers share.</summary>
internal static class SyntaxHelpers
{
    /// <summary>The end-of-line sequence the document already uses.</summary>
    public static SyntaxTrivia EndOfLine(SyntaxNode root) =>
        root.DescendantTrivia().FirstOrDefault(static t => t.IsKind(SyntaxKind.EndOfLineTrivia)) is { RawKind: not 0 } eol
            ? eol
            : SyntaxFactory.EndOfLine("\n");

    /// <summary>
    /// Whether <paramref name="typeName"/> already binds to <c>{namespace}.{typeName}</c> at
    /// <paramref name="position"/> (through a using, a global using or the enclosing namespace).
    /// </summary>
    public static bool IsInScope(SemanticModel model, int position, string ns, string typeName) =>
        model.LookupNamespacesAndTypes(position, name: typeName)
            .OfType<INamedTypeSymbol>()
            .Any(t => t.ContainingNamespace?.ToDisplayString() == ns);

    /// <summary>
    /// Adds <c>using {namespace};</c> to the compilation unit when it has no such directive, in
    /// ordinal order among the existing ones (System first, as the .editorconfig sorts them).
    /// </summary>
    public static CompilationUnitSyntax AddUsing(CompilationUnitSyntax root, string ns)
    {
        if (root.Usings.Any(u => u.Alias is null && u.StaticKeyword.IsKind(SyntaxKind.None) && u.Name?.ToString() == ns))
        {
            return root;
        }
        var eol = EndOfLine(root);
        var directive = SyntaxFactory.UsingDirective(SyntaxFactory.ParseName(ns).WithLeadingTrivia(SyntaxFactory.Space))
            .WithTrailingTrivia(eol);
        var usings = root.Usings;
        var index = 0;
        while (index < usings.Count && usings[index].Alias is null && usings[index].StaticKeyword.IsKind(SyntaxKind.None) &&
               Compare(usings[index].Name?.ToString() ?? string.Empty, ns) < 0)
        {
            index++;
        }
        if (index == 0 && usings.Count > 0)
        {
            // Keep the file's leading trivia (header comments) in front of the first directive.
            var first = usings[0];
            directive = directive.WithLeadingTrivia(first.GetLeadingTrivia());
            usings = usings.Replace(first, first.WithLeadingTrivia());
        }
        else if (usings.Count == 0)
        {
            var leading = root.GetLeadingTrivia();
            root = root.WithLeadingTrivia();
            directive = directive.WithLeadingTrivia(leading).WithTrailingTrivia(eol, eol);
        }
        return root.WithUsings(usings.Insert(index, directive));
    }

    private static int Compare(string left, string right)
    {
        var leftSystem = left == "System" || left.StartsWith("System.", System.StringComparison.Ordinal);
        var rightSystem = right == "System" || right.StartsWith("System.", System.StringComparison.Ordinal);
        if (leftSystem != rightSystem)
        {
            return leftSystem ? -1 : 1;
        }
        return string.CompareOrdinal(left, right);
    }
}

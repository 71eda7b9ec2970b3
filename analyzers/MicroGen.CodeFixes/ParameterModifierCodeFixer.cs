using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using MicroGen.Analyzers;

namespace MicroGen.CodeFixes;

/// <summary>
/// MG0002: removes a <c>ref</c>, <c>in</c>, <c>ref readonly</c> or <c>params</c> modifier (the
/// argument is copied to the server either way). <c>out</c> and pointers need a design change,
/// so they get no fix.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ParameterModifierCodeFixer))]
[Shared]
public sealed class ParameterModifierCodeFixer : CodeFixProvider
{
    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.UnsupportedParameter.Id);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var diagnostic = context.Diagnostics[0];
        if (!diagnostic.Properties.TryGetValue(DiagnosticDescriptors.ModifierProperty, out var modifier) || modifier is null)
        {
            return;
        }
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root?.FindToken(diagnostic.Location.SourceSpan.Start).Parent?.FirstAncestorOrSelf<ParameterSyntax>() is not { } parameter)
        {
            return;
        }
        context.RegisterCodeFix(
            CodeAction.Create($"Remove '{modifier}'", ct => FixAsync(context.Document, parameter.Span, ct), equivalenceKey: nameof(ParameterModifierCodeFixer)),
            diagnostic);
    }

    private static async Task<Document> FixAsync(Document document, Microsoft.CodeAnalysis.Text.TextSpan span, CancellationToken cancellationToken)
    {
        var root = (await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false))!;
        var parameter = root.FindNode(span).FirstAncestorOrSelf<ParameterSyntax>()!;
        var removed = parameter.Modifiers.Where(static m => m.Kind() is SyntaxKind.RefKeyword or SyntaxKind.InKeyword or SyntaxKind.ReadOnlyKeyword or SyntaxKind.ParamsKeyword).ToList();
        var kept = new SyntaxTokenList(parameter.Modifiers.Where(m => !removed.Contains(m)));
        var fixedParameter = parameter.WithModifiers(kept);
        if (kept.Count == 0 && parameter.AttributeLists.Count == 0 && fixedParameter.Type is { } type)
        {
            // The removed modifier carried the parameter's leading trivia.
            fixedParameter = fixedParameter.WithType(type.WithLeadingTrivia(removed[0].LeadingTrivia));
        }
        return document.WithSyntaxRoot(root.ReplaceNode(parameter, fixedParameter));
    }
}

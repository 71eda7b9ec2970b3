using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Composition;
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
/// MG0006: adds <c>CancellationToken cancellationToken = default</c> as the last parameter, and
/// <c>using System.Threading;</c> when <c>CancellationToken</c> is not in scope.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(CancellationTokenCodeFixer))]
[Shared]
public sealed class CancellationTokenCodeFixer : CodeFixProvider
{
    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.MissingCancellationToken.Id);

    /// <inheritdoc/>
    /// <remarks>
    /// Not <see cref="WellKnownFixAllProviders.BatchFixer"/>: each single fix may add the same
    /// <c>using System.Threading;</c>, and the batch fixer's text merge sees those insertions at
    /// different boundaries (syntax diffing next to <c>using System.Threading.Tasks;</c>) and drops
    /// all but one fix per pass. This fixes every diagnostic of a document in one pass instead.
    /// </remarks>
    public override FixAllProvider GetFixAllProvider() => FixAllProvider.Create(
        static async (fixAllContext, document, diagnostics) =>
            await FixAsync(document, diagnostics, fixAllContext.CancellationToken).ConfigureAwait(false));

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var diagnostic = context.Diagnostics[0];
        if (!diagnostic.Properties.TryGetValue(DiagnosticDescriptors.NameProperty, out var name) || name is null)
        {
            return;
        }
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root?.FindToken(diagnostic.Location.SourceSpan.Start).Parent?.FirstAncestorOrSelf<MethodDeclarationSyntax>() is not { } method)
        {
            return;
        }
        context.RegisterCodeFix(
            CodeAction.Create("Add a CancellationToken parameter", ct => FixAsync(context.Document, ImmutableArray.Create(diagnostic), ct), equivalenceKey: nameof(CancellationTokenCodeFixer)),
            diagnostic);
    }

    private static async Task<Document> FixAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        var root = (CompilationUnitSyntax)(await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false))!;
        var model = (await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false))!;
        var methods = new Dictionary<MethodDeclarationSyntax, string>();
        foreach (var diagnostic in diagnostics)
        {
            if (diagnostic.Properties.TryGetValue(DiagnosticDescriptors.NameProperty, out var name) && name is not null &&
                root.FindToken(diagnostic.Location.SourceSpan.Start).Parent?.FirstAncestorOrSelf<MethodDeclarationSyntax>() is { } method)
            {
                methods[method] = name;
            }
        }
        if (methods.Count == 0)
        {
            return document;
        }
        var needsUsing = !SyntaxHelpers.IsInScope(model, methods.Keys.First().SpanStart, "System.Threading", "CancellationToken");
        var newRoot = root.ReplaceNodes(methods.Keys, (original, _) => AddParameter(original, methods[original], root));
        if (needsUsing)
        {
            newRoot = SyntaxHelpers.AddUsing(newRoot, "System.Threading");
        }
        return document.WithSyntaxRoot(newRoot);
    }

    private static MethodDeclarationSyntax AddParameter(MethodDeclarationSyntax method, string name, SyntaxNode root)
    {
        var parameter = SyntaxFactory.Parameter(SyntaxFactory.Identifier(name))
            .WithType(SyntaxFactory.IdentifierName("CancellationToken").WithTrailingTrivia(SyntaxFactory.Space))
            .WithDefault(SyntaxFactory.EqualsValueClause(
                SyntaxFactory.Token(SyntaxKind.EqualsToken).WithLeadingTrivia(SyntaxFactory.Space).WithTrailingTrivia(SyntaxFactory.Space),
                SyntaxFactory.LiteralExpression(SyntaxKind.DefaultLiteralExpression, SyntaxFactory.Token(SyntaxKind.DefaultKeyword))));
        var parameters = method.ParameterList.Parameters;
        SeparatedSyntaxList<ParameterSyntax> newParameters;
        if (parameters.Count == 0)
        {
            newParameters = SyntaxFactory.SingletonSeparatedList(parameter);
        }
        else
        {
            // Follow the list's layout: parameters one per line stay one per line.
            var last = parameters[parameters.Count - 1];
            var onePerLine = parameters.Count > 1 &&
                parameters[0].GetLocation().GetLineSpan().StartLinePosition.Line != last.GetLocation().GetLineSpan().StartLinePosition.Line;
            var separator = SyntaxFactory.Token(SyntaxKind.CommaToken)
                .WithTrailingTrivia(onePerLine ? SyntaxHelpers.EndOfLine(root) : SyntaxFactory.Space);
            if (onePerLine)
            {
                parameter = parameter.WithLeadingTrivia(last.GetLeadingTrivia());
            }
            var nodes = new System.Collections.Generic.List<ParameterSyntax>(parameters) { parameter };
            var separators = new System.Collections.Generic.List<SyntaxToken>(parameters.GetSeparators()) { separator };
            newParameters = SyntaxFactory.SeparatedList(nodes, separators);
        }
        return method.WithParameterList(method.ParameterList.WithParameters(newParameters));
    }
}

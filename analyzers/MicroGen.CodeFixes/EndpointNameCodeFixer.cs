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
/// MG0003: gives a method whose endpoint name is taken a unique one, by adding
/// <c>[Endpoint("SayHello2")]</c> (or rewriting the clashing <c>[Endpoint]</c>'s argument). The name
/// comes from the diagnostic, which chose it against every endpoint of the contract.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(EndpointNameCodeFixer))]
[Shared]
public sealed class EndpointNameCodeFixer : CodeFixProvider
{
    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.DuplicateEndpoint.Id);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

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
            CodeAction.Create($"Use endpoint name '{name}'", ct => FixAsync(context.Document, method.Identifier.Span, name, ct), equivalenceKey: nameof(EndpointNameCodeFixer)),
            diagnostic);
    }

    private static async Task<Document> FixAsync(Document document, Microsoft.CodeAnalysis.Text.TextSpan identifierSpan, string name, CancellationToken cancellationToken)
    {
        var root = (await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false))!;
        var model = (await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false))!;
        var method = root.FindToken(identifierSpan.Start).Parent!.FirstAncestorOrSelf<MethodDeclarationSyntax>()!;
        var argument = SyntaxFactory.AttributeArgument(SyntaxFactory.LiteralExpression(SyntaxKind.StringLiteralExpression, SyntaxFactory.Literal(name)));

        // An [Endpoint] already there: rewrite its argument.
        foreach (var list in method.AttributeLists)
        {
            foreach (var attribute in list.Attributes)
            {
                if (model.GetSymbolInfo(attribute, cancellationToken).Symbol?.ContainingType?.ToDisplayString() == "MicroGen.EndpointAttribute")
                {
                    var arguments = SyntaxFactory.AttributeArgumentList(SyntaxFactory.SingletonSeparatedList(argument));
                    return document.WithSyntaxRoot(root.ReplaceNode(attribute, attribute.WithArgumentList(arguments)));
                }
            }
        }

        // Else a new attribute list on its own line, taking over the method's leading trivia.
        var attributeName = SyntaxHelpers.IsInScope(model, method.SpanStart, "MicroGen", "EndpointAttribute") ? "Endpoint" : "MicroGen.Endpoint";
        var firstToken = method.GetFirstToken();
        var leading = firstToken.LeadingTrivia;
        var indentation = leading.Count > 0 && leading[leading.Count - 1].IsKind(SyntaxKind.WhitespaceTrivia)
            ? SyntaxFactory.TriviaList(leading[leading.Count - 1])
            : SyntaxFactory.TriviaList();
        var newList = SyntaxFactory.AttributeList(SyntaxFactory.SingletonSeparatedList(
                SyntaxFactory.Attribute(SyntaxFactory.ParseName(attributeName), SyntaxFactory.AttributeArgumentList(SyntaxFactory.SingletonSeparatedList(argument)))))
            .WithLeadingTrivia(leading)
            .WithTrailingTrivia(SyntaxHelpers.EndOfLine(root));
        var stripped = method.ReplaceToken(firstToken, firstToken.WithLeadingTrivia(indentation));
        var newMethod = stripped.WithAttributeLists(stripped.AttributeLists.Insert(0, newList));
        return document.WithSyntaxRoot(root.ReplaceNode(method, newMethod));
    }
}

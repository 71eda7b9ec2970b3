using System.Collections.Immutable;
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

/// <summary>MG0001: wraps an unsupported return type in <c>Task&lt;T&gt;</c> (<c>void</c> becomes <c>Task</c>).</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ReturnTypeCodeFixer))]
[Shared]
public sealed class ReturnTypeCodeFixer : CodeFixProvider
{
    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.UnsupportedReturnType.Id);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var diagnostic = context.Diagnostics[0];
        if (!diagnostic.Properties.TryGetValue(DiagnosticDescriptors.NameProperty, out var shape) || shape is null)
        {
            return;
        }
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root?.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not TypeSyntax returnType ||
            returnType.Parent is not MethodDeclarationSyntax)
        {
            return;
        }
        var title = shape == "Task" ? "Return Task" : $"Return Task<{StripRef(returnType)}>";
        context.RegisterCodeFix(
            CodeAction.Create(title, ct => FixAsync(context.Document, returnType.Span, ct), equivalenceKey: nameof(ReturnTypeCodeFixer)),
            diagnostic);
    }

    private static async Task<Document> FixAsync(Document document, Microsoft.CodeAnalysis.Text.TextSpan span, CancellationToken cancellationToken)
    {
        var root = (CompilationUnitSyntax)(await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false))!;
        var model = (await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false))!;
        var returnType = (TypeSyntax)root.FindNode(span, getInnermostNodeForTie: true);
        var method = (MethodDeclarationSyntax)returnType.Parent!;
        TypeSyntax replacement = returnType is PredefinedTypeSyntax { Keyword.RawKind: (int)SyntaxKind.VoidKeyword }
            ? SyntaxFactory.IdentifierName("Task")
            : SyntaxFactory.GenericName(SyntaxFactory.Identifier("Task"), SyntaxFactory.TypeArgumentList(
                SyntaxFactory.SingletonSeparatedList(StripRef(returnType).WithoutTrivia())));
        replacement = replacement.WithTriviaFrom(returnType);
        var newMethod = method.WithReturnType(replacement);
        var needsUsing = !SyntaxHelpers.IsInScope(model, method.SpanStart, "System.Threading.Tasks", "Task");
        var newRoot = root.ReplaceNode(method, newMethod);
        if (needsUsing)
        {
            newRoot = SyntaxHelpers.AddUsing(newRoot, "System.Threading.Tasks");
        }
        return document.WithSyntaxRoot(newRoot);
    }

    private static TypeSyntax StripRef(TypeSyntax type) => type is RefTypeSyntax reference ? reference.Type : type;
}

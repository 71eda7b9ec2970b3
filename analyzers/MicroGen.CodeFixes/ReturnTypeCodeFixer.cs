using System.Collections.Generic;
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
    /// <remarks>
    /// Not <see cref="WellKnownFixAllProviders.BatchFixer"/>: single fixes may each add the same
    /// <c>using System.Threading.Tasks;</c>, which the batch fixer's text merge can see as
    /// conflicting changes. This fixes every diagnostic of a document in one pass instead.
    /// </remarks>
    public override FixAllProvider GetFixAllProvider() => FixAllProvider.Create(
        static async (fixAllContext, document, diagnostics) =>
            await FixAsync(document, diagnostics, fixAllContext.CancellationToken).ConfigureAwait(false));

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
            CodeAction.Create(title, ct => FixAsync(context.Document, ImmutableArray.Create(diagnostic), ct), equivalenceKey: nameof(ReturnTypeCodeFixer)),
            diagnostic);
    }

    private static async Task<Document> FixAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        var root = (CompilationUnitSyntax)(await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false))!;
        var model = (await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false))!;
        var returnTypes = new List<TypeSyntax>();
        foreach (var diagnostic in diagnostics)
        {
            if (diagnostic.Properties.ContainsKey(DiagnosticDescriptors.NameProperty) &&
                root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is TypeSyntax { Parent: MethodDeclarationSyntax } returnType)
            {
                returnTypes.Add(returnType);
            }
        }
        if (returnTypes.Count == 0)
        {
            return document;
        }
        var needsUsing = !SyntaxHelpers.IsInScope(model, returnTypes[0].SpanStart, "System.Threading.Tasks", "Task");
        var newRoot = root.ReplaceNodes(returnTypes, static (original, _) => Wrap(original));
        if (needsUsing)
        {
            newRoot = SyntaxHelpers.AddUsing(newRoot, "System.Threading.Tasks");
        }
        return document.WithSyntaxRoot(newRoot);
    }

    private static TypeSyntax Wrap(TypeSyntax returnType)
    {
        TypeSyntax replacement = returnType is PredefinedTypeSyntax { Keyword.RawKind: (int)SyntaxKind.VoidKeyword }
            ? SyntaxFactory.IdentifierName("Task")
            : SyntaxFactory.GenericName(SyntaxFactory.Identifier("Task"), SyntaxFactory.TypeArgumentList(
                SyntaxFactory.SingletonSeparatedList(StripRef(returnType).WithoutTrivia())));
        return replacement.WithTriviaFrom(returnType);
    }

    private static TypeSyntax StripRef(TypeSyntax type) => type is RefTypeSyntax reference ? reference.Type : type;
}

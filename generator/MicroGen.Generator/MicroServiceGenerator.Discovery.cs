using System;
using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace MicroGen.Generator;

public sealed partial class MicroServiceGenerator
{
    /// <summary>
    /// Finds the type declarations that carry <c>[MicroService]</c> or <c>[MicroEvent]</c>, as
    /// <c>ForAttributeWithMetadataName</c> would: by the attribute's simple name (or an alias of it)
    /// in the syntax first, then by the attribute's class in the semantic model.
    /// </summary>
    internal static class Discovery
    {
        private const string MicroServiceName = "MicroService";
        private const string MicroEventName = "MicroEvent";
        private const string AttributeSuffix = "Attribute";

        /// <summary>One attributed type declaration, its symbol and the matching attribute.</summary>
        public readonly record struct Target(INamedTypeSymbol Symbol, AttributeData Attribute, bool IsContract);

        /// <summary>The targets of every syntax tree, in tree order then source order.</summary>
        public static List<Target> FindTargets(Compilation compilation, CancellationToken cancellationToken)
        {
            var targets = new List<Target>();
            var names = CandidateNames(compilation, cancellationToken);
            var candidates = new List<TypeDeclarationSyntax>();
            foreach (var tree in compilation.SyntaxTrees)
            {
                cancellationToken.ThrowIfCancellationRequested();
                candidates.Clear();
                Collect(((CompilationUnitSyntax)tree.GetRoot(cancellationToken)).Members, names, candidates);
                if (candidates.Count == 0)
                {
                    continue;
                }
                var model = compilation.GetSemanticModel(tree);
                foreach (var declaration in candidates)
                {
                    if (model.GetDeclaredSymbol(declaration, cancellationToken) is not INamedTypeSymbol symbol)
                    {
                        continue;
                    }
                    AttributeData? service = null;
                    AttributeData? @event = null;
                    foreach (var attribute in symbol.GetAttributes())
                    {
                        // Only this declaration's own attributes: a partial type's other parts are found on their own.
                        if (attribute.ApplicationSyntaxReference is not { } reference || reference.SyntaxTree != tree || !declaration.Span.Contains(reference.Span))
                        {
                            continue;
                        }
                        if (declaration is InterfaceDeclarationSyntax && ContractRules.IsMicroServiceAttribute(attribute.AttributeClass))
                        {
                            service ??= attribute;
                        }
                        else if (ContractRules.IsMicroEventAttribute(attribute.AttributeClass))
                        {
                            @event ??= attribute;
                        }
                    }
                    if (service is not null)
                    {
                        targets.Add(new Target(symbol, service, IsContract: true));
                    }
                    if (@event is not null)
                    {
                        targets.Add(new Target(symbol, @event, IsContract: false));
                    }
                }
            }
            return targets;
        }

        // Types cannot be declared inside method bodies, so the walk never enters one.
        private static void Collect(SyntaxList<MemberDeclarationSyntax> members, HashSet<string> names, List<TypeDeclarationSyntax> candidates)
        {
            foreach (var member in members)
            {
                switch (member)
                {
                    case BaseNamespaceDeclarationSyntax ns:
                        Collect(ns.Members, names, candidates);
                        break;
                    case TypeDeclarationSyntax type:
                        if (HasCandidateAttribute(type.AttributeLists, names))
                        {
                            candidates.Add(type);
                        }
                        Collect(type.Members, names, candidates);
                        break;
                }
            }
        }

        private static bool HasCandidateAttribute(SyntaxList<AttributeListSyntax> lists, HashSet<string> names)
        {
            foreach (var list in lists)
            {
                foreach (var attribute in list.Attributes)
                {
                    if (names.Contains(SimpleName(attribute.Name)))
                    {
                        return true;
                    }
                }
            }
            return false;
        }

        private static string SimpleName(NameSyntax name) => name switch
        {
            QualifiedNameSyntax qualified => qualified.Right.Identifier.ValueText,
            AliasQualifiedNameSyntax aliased => aliased.Name.Identifier.ValueText,
            SimpleNameSyntax simple => simple.Identifier.ValueText,
            _ => string.Empty,
        };

        /// <summary>
        /// The attribute names that may bind to MicroGen's attributes: their own names, with and
        /// without the suffix, and every using alias (global or not, chained) that ends at one of them.
        /// </summary>
        private static HashSet<string> CandidateNames(Compilation compilation, CancellationToken cancellationToken)
        {
            var names = new HashSet<string>(StringComparer.Ordinal)
            {
                MicroServiceName, MicroServiceName + AttributeSuffix, MicroEventName, MicroEventName + AttributeSuffix,
            };
            var aliases = new List<UsingDirectiveSyntax>();
            foreach (var tree in compilation.SyntaxTrees)
            {
                cancellationToken.ThrowIfCancellationRequested();
                CollectAliases((CompilationUnitSyntax)tree.GetRoot(cancellationToken), aliases);
            }
            // An alias may name another alias: repeat until no new name appears.
            for (var added = true; added;)
            {
                added = false;
                foreach (var alias in aliases)
                {
                    if (alias.Name is { } target && names.Contains(SimpleName(target)))
                    {
                        var name = alias.Alias!.Name.Identifier.ValueText;
                        added |= names.Add(name);
                        if (name.EndsWith(AttributeSuffix, StringComparison.Ordinal) && name.Length > AttributeSuffix.Length)
                        {
                            added |= names.Add(name.Substring(0, name.Length - AttributeSuffix.Length));
                        }
                    }
                }
            }
            return names;
        }

        private static void CollectAliases(CompilationUnitSyntax root, List<UsingDirectiveSyntax> aliases)
        {
            AddAliases(root.Usings, aliases);
            CollectAliases(root.Members, aliases);
        }

        private static void CollectAliases(SyntaxList<MemberDeclarationSyntax> members, List<UsingDirectiveSyntax> aliases)
        {
            foreach (var member in members)
            {
                if (member is BaseNamespaceDeclarationSyntax ns)
                {
                    AddAliases(ns.Usings, aliases);
                    CollectAliases(ns.Members, aliases);
                }
            }
        }

        private static void AddAliases(SyntaxList<UsingDirectiveSyntax> usings, List<UsingDirectiveSyntax> aliases)
        {
            foreach (var directive in usings)
            {
                if (directive.Alias is not null)
                {
                    aliases.Add(directive);
                }
            }
        }
    }
}

using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using MicroGen.Analyzers.Helpers;
using MicroGen.Generator;

namespace MicroGen.Analyzers;

/// <summary>
/// Payload types: parameters, results and <c>[MicroEvent]</c> types the codecs cannot carry
/// (MG0007), non-protobuf payloads in a protobuf contract (MG0008), and members of contract types
/// the codecs would silently lose (MG0021).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class PayloadTypeAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.UnsupportedPayloadType,
        DiagnosticDescriptors.NonProtobufPayload,
        DiagnosticDescriptors.LossyMember);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(static start =>
        {
            if (!KnownSymbols.TryCreate(start.Compilation, out var symbols))
            {
                return;
            }
            start.RegisterSymbolAction(c => AnalyzeType(c, symbols), SymbolKind.NamedType);
        });
    }

    private static void AnalyzeType(SymbolAnalysisContext context, KnownSymbols symbols)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (symbols.GetMicroServiceAttribute(type) is not null)
        {
            AnalyzeContract(context, type);
            return;
        }
        if (type.TypeKind is not (TypeKind.Class or TypeKind.Struct))
        {
            return;
        }
        var isEvent = symbols.IsMicroEvent(type);
        if (isEvent)
        {
            var problem = ContractRules.IsObjectCandidate(type) || ContractRules.IsProtobufMessage(type)
                ? ContractRules.FindCarryProblem(type, context.Compilation, context.CancellationToken)
                : new CarryProblem(type, type.IsAbstract ? CarryProblemKind.NoKnownSerializer : CarryProblemKind.OpenGeneric);
            if (problem is { Kind: not CarryProblemKind.Error })
            {
                var (reason, advice) = Explain(problem);
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.UnsupportedPayloadType, type.Locations[0], $"[MicroEvent] type '{type.Name}'", ContractMembers.TypeName(type), reason, advice));
            }
        }
        if (!isEvent && (!type.Locations.Any(static l => l.IsInSource) || !ContractTypeIndex.Get(symbols, context.CancellationToken).Contains(type)))
        {
            return;
        }
        foreach (var lossy in ContractRules.GetLossyMembers(type))
        {
            var member = lossy.Member;
            string what;
            string advice;
            if (lossy.Kind == LossKind.NotReadBack)
            {
                what = member is IFieldSymbol
                    ? "is a read-only field with no matching constructor parameter"
                    : "has no setter and no matching constructor parameter";
                advice = member is IFieldSymbol
                    ? $"Remove 'readonly', or add a constructor parameter named '{ContractRules.ToCamelCase(member.Name)}'"
                    : $"Add an 'init' accessor, or a constructor parameter named '{ContractRules.ToCamelCase(member.Name)}'";
            }
            else
            {
                what = member is IFieldSymbol ? "is a non-public field the codecs never write" : "is a non-public property the codecs never write";
                advice = "Make it a public property, or mark it [IgnoreDataMember] if losing it is intended";
            }
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.LossyMember, member.Locations[0], ContractMembers.Name(member), what, advice));
        }
    }

    private static void AnalyzeContract(SymbolAnalysisContext context, INamedTypeSymbol contract)
    {
        if (ContractRules.ContainsTypeParameter(contract))
        {
            // MG0009 covers generic contracts; their payloads are open by design.
            return;
        }
        var cancellationToken = context.CancellationToken;
        var checker = new ContractRules.CarryChecker(context.Compilation, cancellationToken);
        var protobufPayloads = new List<(string Description, ITypeSymbol Type, Location Location)>();
        var otherPayloads = new List<(string Description, ITypeSymbol Type, Location Location)>();

        foreach (var member in ContractMembers.GetEndpointCandidates(contract))
        {
            if (member is not IMethodSymbol { MethodKind: MethodKind.Ordinary, IsGenericMethod: false } method)
            {
                continue;
            }
            var methodName = ContractMembers.Name(method);
            var parameters = method.Parameters;
            if (parameters.Length > 0 && ContractRules.IsCancellationToken(parameters[parameters.Length - 1].Type))
            {
                parameters = parameters.RemoveAt(parameters.Length - 1);
            }
            foreach (var parameter in parameters)
            {
                if (ContractRules.GetParameterProblem(parameter) != ParameterProblem.None || ContractRules.IsCancellationToken(parameter.Type))
                {
                    continue;
                }
                var location = ContractMembers.Locate<ParameterSyntax>(parameter, contract, static s => s.Type?.GetLocation(), cancellationToken);
                if (!ContractMembers.IsOwn(method, contract))
                {
                    location = ContractMembers.LocateBase(method.ContainingType, contract, cancellationToken);
                }
                var description = $"Parameter '{parameter.Name}' of method '{methodName}'";
                var payload = ContractTypeIndex.PayloadOf(parameter.Type);
                if (!Check(context, checker, payload, description, location))
                {
                    continue;
                }
                if (parameters.Length == 1)
                {
                    (ContractRules.IsProtobufMessage(payload) ? protobufPayloads : otherPayloads).Add((description, payload, location));
                }
                else
                {
                    otherPayloads.Add((description + " (one of several, sent as a MessagePack argument list)", payload, location));
                }
            }

            ITypeSymbol? result = null;
            if (ContractRules.TryGetReturnShape(method.ReturnType, out _, out var unary) && !method.ReturnsByRef)
            {
                result = unary;
            }
            else if (ContractRules.IsAsyncEnumerable(method.ReturnType))
            {
                result = ContractTypeIndex.PayloadOf(method.ReturnType);
            }
            if (result is not null)
            {
                var location = ContractMembers.Locate<MethodDeclarationSyntax>(method, contract, static s => ResultSyntax(s.ReturnType)?.GetLocation(), cancellationToken);
                var description = $"The result of method '{methodName}'";
                if (Check(context, checker, result, description, location))
                {
                    (ContractRules.IsProtobufMessage(result) ? protobufPayloads : otherPayloads).Add((description, result, location));
                }
            }
        }

        if (protobufPayloads.Count > 0)
        {
            foreach (var (description, type, location) in otherPayloads)
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.NonProtobufPayload, location, contract.Name, Lower(description), ContractMembers.TypeName(type)));
            }
        }
    }

    /// <summary>Reports MG0007 when the codecs cannot carry <paramref name="type"/>; true when they can.</summary>
    private static bool Check(SymbolAnalysisContext context, ContractRules.CarryChecker checker, ITypeSymbol type, string description, Location location)
    {
        if (type.TypeKind is TypeKind.Pointer or TypeKind.FunctionPointer)
        {
            // MG0002 covers pointers.
            return false;
        }
        if (checker.Check(type) is not { } problem)
        {
            return true;
        }
        if (problem.Kind != CarryProblemKind.Error)
        {
            var (reason, advice) = Explain(problem);
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.UnsupportedPayloadType, location, description, ContractMembers.TypeName(type), reason, advice));
        }
        return false;
    }

    /// <summary>The type argument of <c>Task&lt;T&gt;</c>/<c>ValueTask&lt;T&gt;</c>/<c>IAsyncEnumerable&lt;T&gt;</c> as written, else the whole return type.</summary>
    private static SyntaxNode? ResultSyntax(TypeSyntax returnType)
    {
        var unqualified = returnType is QualifiedNameSyntax qualified ? qualified.Right : returnType is AliasQualifiedNameSyntax alias ? alias.Name : returnType;
        return unqualified is GenericNameSyntax { TypeArgumentList.Arguments: { Count: 1 } arguments } ? arguments[0] : returnType;
    }

    /// <summary>Says why a type cannot be carried, and what to do instead.</summary>
    internal static (string Reason, string Advice) Explain(CarryProblem problem)
    {
        var type = ContractMembers.TypeName(problem.Type);
        var via = problem.Path.IsEmpty
            ? string.Empty
            : "through '" + string.Join(" → ", problem.Path.Select(ContractMembers.Name)) + "', ";
        var subject = problem.Subject is null ? string.Empty : ContractMembers.Name(problem.Subject);
        var (reason, advice) = problem.Kind switch
        {
            CarryProblemKind.Inaccessible => ($"'{type}' is not accessible to generated code", "Make the type public or internal, and not file-local"),
            CarryProblemKind.OpenGeneric => ($"'{type}' is an open generic type", "Use a concrete type"),
            CarryProblemKind.Delegate => ($"'{type}' is a delegate, and code cannot be serialized", "Send data, and let the receiver decide what to run"),
            CarryProblemKind.Pointer => ($"'{type}' is a pointer", "Use an array, for example byte[]"),
            CarryProblemKind.RefStruct => ($"'{type}' is a ref struct, which cannot be stored", "Use an array, for example byte[] instead of Span<byte>"),
            CarryProblemKind.Stream => ($"'{type}' is a stream, not a message", "Send byte[], or stream chunks with IAsyncEnumerable<byte[]>"),
            CarryProblemKind.NoKnownSerializer => ($"'{type}' has no known serializer (the runtime type is unknown)", "Use a concrete class, record or struct"),
            CarryProblemKind.MultiDimensionalArray => ($"'{type}' is a multi-dimensional array", "Use a jagged array (T[][]) or List<T[]>"),
            CarryProblemKind.FrameworkType => ($"'{type}' is a framework type without codec routines", "Use a primitive, string, Guid, a date type, byte[], an enum, T[], List<T>, Dictionary<K,V> or your own type"),
            CarryProblemKind.DictionaryKey => ($"dictionary key type '{type}' has no JSON property-name form", "Key the dictionary by string, a number, Guid, a date or an enum"),
            CarryProblemKind.NoUsableConstructor => ($"'{type}' has neither a public parameterless constructor nor exactly one public constructor with parameters", "Add a public parameterless constructor, or keep a single public constructor"),
            CarryProblemKind.ConstructorParameterMismatch => ($"constructor parameter '{problem.Subject?.Name}' of '{type}' sets no public property or field of the same name and type", "Name each constructor parameter after the member it sets, with the same type"),
            CarryProblemKind.ProtobufWithoutParser => ($"protobuf message '{type}' has no static Parser property", "Generate the message with protoc, or add 'public static MessageParser<" + type + "> Parser { get; }'"),
            CarryProblemKind.DuplicateJsonName => ($"'{subject}' and '{(problem.Other is null ? string.Empty : ContractMembers.Name(problem.Other))}' have the same JSON name '{ContractRules.ToCamelCase(problem.Subject?.Name ?? string.Empty)}'", "Rename one of them"),
            _ => ($"'{type}' is not a type the codecs know", "Use a primitive, string, an enum, a collection, a protobuf message or a class, record or struct of your own"),
        };
        return (via + reason, advice);
    }

    private static string Lower(string description) =>
        description.Length > 0 && char.IsUpper(description[0]) ? char.ToLowerInvariant(description[0]) + description.Substring(1) : description;
}

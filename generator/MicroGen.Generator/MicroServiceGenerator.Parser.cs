using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using MicroGen.Generator.Helpers;
using MicroGen.Generator.Model;
using MethodKind = MicroGen.Generator.Model.MethodKind;

namespace MicroGen.Generator;

public sealed partial class MicroServiceGenerator
{
    /// <summary>
    /// Turns symbols into the plain models the emitter works from. It never throws on a contract
    /// it cannot carry and reports nothing: it returns <c>null</c> (the analyzers report why).
    /// </summary>
    internal static class Parser
    {
        private const string EmptyTypeName = "global::MicroGen.Codec.Empty";
        private const string ProtobufContentType = "application/protobuf";
        private const string MessagePackContentType = "application/msgpack";

        /// <summary>
        /// Parses every <c>[MicroService]</c> interface and <c>[MicroEvent]</c> type of the compilation;
        /// one that breaks a rule is left out.
        /// </summary>
        public static DeclarationsModel ParseDeclarations(Compilation compilation, CancellationToken cancellationToken)
        {
            using var culture = InvariantCultureScope.Enter();
            var contracts = new List<ContractModel>();
            var events = new List<EventModel>();
            foreach (var target in Discovery.FindTargets(compilation, cancellationToken))
            {
                if (target.IsContract)
                {
                    if (target.Symbol.TypeKind == TypeKind.Interface && ParseContract(target.Symbol, target.Attribute, compilation, cancellationToken) is { } contract)
                    {
                        contracts.Add(contract);
                    }
                }
                else if (ParseEvent(target.Symbol, compilation, cancellationToken) is { } @event)
                {
                    events.Add(@event);
                }
            }
            return new DeclarationsModel { Contracts = contracts.ToEquatableArray(), Events = events.ToEquatableArray() };
        }

        private static EventModel? ParseEvent(INamedTypeSymbol type, Compilation compilation, CancellationToken cancellationToken)
        {
            if (!ContractRules.IsProtobufMessage(type) && !ContractRules.IsObjectCandidate(type))
            {
                return null;
            }
            var collector = new TypeCollector(compilation, cancellationToken);
            if (collector.GetTypeRef(type) is null)
            {
                return null;
            }
            return new EventModel { FullName = collector.Names.Identity(type), CodecTypes = collector.GetTypes() };
        }

        private static ContractModel? ParseContract(INamedTypeSymbol contract, AttributeData attribute, Compilation compilation, CancellationToken cancellationToken)
        {
            if (contract.IsGenericType || ContractRules.ContainsTypeParameter(contract) ||
                !ContractRules.IsImplementable(contract, compilation) || ContractRules.IsIncomplete(contract))
            {
                return null;
            }
            if (attribute.ConstructorArguments.Length != 1 || attribute.ConstructorArguments[0].Value is not string serviceName || !ContractRules.IsValidServiceName(serviceName))
            {
                return null;
            }
            var version = ContractRules.DefaultVersion;
            foreach (var named in attribute.NamedArguments)
            {
                if (named.Key == "Version" && named.Value.Value is string v && !ContractRules.IsMissingVersion(v))
                {
                    if (!ContractRules.IsValidVersion(v))
                    {
                        return null;
                    }
                    version = v;
                }
            }

            var contractName = ContractRules.GetContractName(contract.Name);
            var containingTypes = new List<string>();
            for (var outer = contract.ContainingType; outer is not null; outer = outer.ContainingType)
            {
                containingTypes.Insert(0, outer.Name);
            }
            var collector = new TypeCollector(compilation, cancellationToken);
            var ns = collector.Names.Namespace(contract.ContainingNamespace);
            var typePrefix = string.Concat(containingTypes.Select(static n => n + "_")) + contractName;
            var hintName = string.Join(".", new[] { ns }.Where(static s => s.Length > 0).Concat(containingTypes).Concat(new[] { contract.Name })) + ".g.cs";
            var descriptorFullName = (ns.Length == 0 ? "global::" : "global::" + ns + ".") + typePrefix + "Descriptor";

            var methods = new List<MethodModel>();
            var endpoints = new HashSet<string>(StringComparer.Ordinal);
            // Names taken inside the descriptor class: its own name, the service descriptor, then each method field and argument struct.
            var usedNames = new HashSet<string>(StringComparer.Ordinal) { typePrefix + "Descriptor", "Descriptor" };

            foreach (var declaringInterface in new[] { contract }.Concat(contract.AllInterfaces))
            {
                foreach (var member in declaringInterface.GetMembers())
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (member.IsStatic || !member.IsAbstract || member is INamedTypeSymbol)
                    {
                        // Static members, default implementations and nested types are not endpoints.
                        continue;
                    }
                    if (member is not IMethodSymbol { MethodKind: Microsoft.CodeAnalysis.MethodKind.Ordinary } method)
                    {
                        // An abstract property or event cannot be called remotely.
                        return null;
                    }
                    var model = ParseMethod(method, declaringInterface, contract, contractName, descriptorFullName, collector, usedNames);
                    if (model is null || !endpoints.Add(model.Endpoint))
                    {
                        return null;
                    }
                    methods.Add(model);
                }
            }

            return new ContractModel
            {
                Namespace = ns,
                InterfaceFullName = collector.Names.Identity(contract),
                TypePrefix = typePrefix,
                HintName = hintName,
                Accessibility = ContractRules.IsEffectivelyPublic(contract) ? "public" : "internal",
                ServiceName = serviceName,
                Version = version,
                ContractName = contractName,
                Methods = methods.ToEquatableArray(),
                CodecTypes = collector.GetTypes(),
            };
        }

        private static MethodModel? ParseMethod(
            IMethodSymbol method,
            INamedTypeSymbol declaringInterface,
            INamedTypeSymbol contract,
            string contractName,
            string descriptorFullName,
            TypeCollector collector,
            HashSet<string> usedNames)
        {
            if (method.IsGenericMethod || method.ReturnsByRef || method.ReturnsByRefReadonly || ContractRules.IsIncomplete(method))
            {
                return null;
            }
            var kind = ContractRules.GetMethodKind(method);
            if (!ContractRules.IsSupportedStreamShape(method))
            {
                // One call carries one stream each way.
                return null;
            }
            ReturnShape shape;
            ITypeSymbol? resultType;
            if (kind is MethodKind.ServerStreaming or MethodKind.DuplexStreaming)
            {
                // The response payload is each item of the returned IAsyncEnumerable<T>.
                shape = ReturnShape.AsyncEnumerable;
                resultType = ContractRules.GetStreamItemType(method.ReturnType);
                if (resultType is null)
                {
                    return null;
                }
            }
            else if (!ContractRules.TryGetReturnShape(method.ReturnType, out shape, out resultType))
            {
                return null;
            }

            var parameters = method.Parameters;
            string? cancellationTokenName = null;
            if (parameters.Length > 0 && ContractRules.IsCancellationToken(parameters[parameters.Length - 1].Type))
            {
                if (ContractRules.IsIncomplete(parameters[parameters.Length - 1]))
                {
                    return null;
                }
                cancellationTokenName = ContractRules.EscapeIdentifier(parameters[parameters.Length - 1].Name);
                parameters = parameters.RemoveAt(parameters.Length - 1);
            }

            var parameterModels = new List<ParameterModel>();
            // The parameters that make up the request payload: all but the streamed one.
            var parameterRefs = new List<(IParameterSymbol Symbol, TypeRef Type)>();
            ITypeSymbol? requestItemType = null;
            TypeRef? requestItemRef = null;
            foreach (var parameter in parameters)
            {
                if (ContractRules.GetParameterProblem(parameter) != ParameterProblem.None || ContractRules.IsCancellationToken(parameter.Type) || ContractRules.IsIncomplete(parameter))
                {
                    return null;
                }
                if (ContractRules.GetStreamItemType(parameter.Type) is { } itemType)
                {
                    // The items' codec routines are generated and registered like any payload type's.
                    requestItemType = itemType;
                    requestItemRef = collector.GetTypeRef(itemType);
                    if (requestItemRef is null)
                    {
                        return null;
                    }
                    parameterModels.Add(new ParameterModel
                    {
                        Identifier = ContractRules.EscapeIdentifier(parameter.Name),
                        Type = collector.Names.Declared(parameter.Type),
                        IsStream = true,
                    });
                    continue;
                }
                var typeRef = collector.GetTypeRef(parameter.Type);
                if (typeRef is null)
                {
                    return null;
                }
                parameterModels.Add(new ParameterModel { Identifier = ContractRules.EscapeIdentifier(parameter.Name), Type = typeRef.DeclaredName, IsStream = false });
                parameterRefs.Add((parameter, typeRef));
            }

            TypeRef? responseRef = null;
            if (resultType is not null)
            {
                responseRef = collector.GetTypeRef(resultType);
                if (responseRef is null)
                {
                    return null;
                }
            }

            string? endpointOverride = null;
            var idempotent = false;
            foreach (var attribute in method.GetAttributes())
            {
                switch (attribute.AttributeClass?.ToDisplayString())
                {
                    case ContractRules.EndpointAttribute:
                        if (attribute.ConstructorArguments.Length != 1 || attribute.ConstructorArguments[0].Value is not string name || !ContractRules.IsValidEndpointOverride(name))
                        {
                            return null;
                        }
                        endpointOverride = name;
                        break;
                    case ContractRules.IdempotentAttribute:
                        idempotent = true;
                        break;
                }
            }

            var memberName = UniqueName(method.Name, usedNames);
            string? argumentStructName = null;
            string requestType;
            bool requestIsProtobufOrEmpty;
            switch (parameterRefs.Count)
            {
                case 0:
                    requestType = EmptyTypeName;
                    requestIsProtobufOrEmpty = true;
                    break;
                case 1:
                    requestType = parameterRefs[0].Type.DeclaredName;
                    requestIsProtobufOrEmpty = ContractRules.IsProtobufOrEmpty(parameterRefs[0].Symbol.Type);
                    break;
                default:
                    var candidate = memberName + "Arguments";
                    while (usedNames.Contains(candidate) || parameterRefs.Any(p => p.Symbol.Name == candidate))
                    {
                        candidate += "_";
                    }
                    usedNames.Add(candidate);
                    argumentStructName = candidate;
                    requestType = descriptorFullName + "." + candidate;
                    requestIsProtobufOrEmpty = false;
                    collector.AddArgumentStruct(requestType, parameterRefs);
                    break;
            }
            var responseIsProtobufOrEmpty = resultType is null || ContractRules.IsProtobufOrEmpty(resultType);
            var itemsAreProtobufOrEmpty = requestItemType is null || ContractRules.IsProtobufOrEmpty(requestItemType);

            var isInherited = !SymbolEqualityComparer.Default.Equals(declaringInterface, contract);
            return new MethodModel
            {
                Name = ContractRules.EscapeIdentifier(method.Name),
                MemberName = memberName,
                Endpoint = ContractRules.GetEndpointName(contractName, method.Name, endpointOverride),
                Kind = kind,
                ReturnShape = shape,
                ReturnType = collector.Names.Declared(method.ReturnType),
                DeclaringInterface = collector.Names.Declared(declaringInterface),
                IsInherited = isInherited,
                Parameters = parameterModels.ToEquatableArray(),
                RequestItemType = requestItemRef?.DeclaredName,
                CancellationTokenName = cancellationTokenName,
                RequestType = requestType,
                ResponseType = responseRef?.DeclaredName ?? EmptyTypeName,
                ArgumentStructName = argumentStructName,
                Idempotent = idempotent,
                DefaultContentType = requestIsProtobufOrEmpty && itemsAreProtobufOrEmpty && responseIsProtobufOrEmpty ? ProtobufContentType : MessagePackContentType,
            };
        }

        private static string UniqueName(string name, HashSet<string> usedNames)
        {
            var candidate = name;
            for (var i = 2; !usedNames.Add(candidate); i++)
            {
                candidate = name + i.ToString(CultureInfo.InvariantCulture);
            }
            return candidate;
        }

        /// <summary>
        /// Walks the types reachable from a contract or event (members, elements, type arguments),
        /// building a codec model for each. Scoped to one parse: its tables are never shared.
        /// </summary>
        private sealed class TypeCollector
        {
            private readonly Compilation _compilation;
            private readonly CancellationToken _cancellationToken;
            private readonly Dictionary<string, CodecTypeModel> _types = new(StringComparer.Ordinal);
            private readonly HashSet<string> _inProgress = new(StringComparer.Ordinal);

            // A contract names the same few types again and again (every method's request, reply,
            // their members): display strings are the parser's largest cost, so each type is
            // resolved once per contract. Nullability is part of the key: it changes DeclaredName.
            private readonly Dictionary<ITypeSymbol, TypeRef?> _refs = new(SymbolEqualityComparer.IncludeNullability);

            public TypeCollector(Compilation compilation, CancellationToken cancellationToken)
            {
                Names = new TypeNames();
                _compilation = compilation;
                _cancellationToken = cancellationToken;
            }

            /// <summary>Type names, cached for this parse.</summary>
            public TypeNames Names { get; }

            /// <summary>Every codec type found, sorted ordinally by name.</summary>
            public EquatableArray<CodecTypeModel> GetTypes() =>
                _types.Values.OrderBy(static t => t.FullName, StringComparer.Ordinal).ToEquatableArray();

            /// <summary>A reference to <paramref name="type"/>, collecting its codec types; null when it cannot be carried.</summary>
            public TypeRef? GetTypeRef(ITypeSymbol type)
            {
                _cancellationToken.ThrowIfCancellationRequested();
                if (_refs.TryGetValue(type, out var known))
                {
                    return known;
                }
                var fullName = Names.Identity(type);
                var builtin = ContractRules.GetBuiltinRoutineName(type);
                TypeRef? typeRef = null;
                if (builtin is not null || Collect(type, fullName))
                {
                    typeRef = new TypeRef
                    {
                        DeclaredName = Names.Declared(type),
                        FullName = fullName,
                        Builtin = builtin,
                        IsValueType = type.IsValueType,
                        IsEnum = type.TypeKind == TypeKind.Enum,
                    };
                }
                // A type still being collected (a recursive member) is not final yet: not cached.
                if (!_inProgress.Contains(fullName))
                {
                    _refs[type] = typeRef;
                }
                return typeRef;
            }

            /// <summary>Adds the generated argument struct of a method with two or more parameters.</summary>
            public void AddArgumentStruct(string fullName, List<(IParameterSymbol Symbol, TypeRef Type)> parameters)
            {
                var members = parameters.Select((p, i) => new MemberModel
                {
                    Name = p.Symbol.Name,
                    Identifier = ContractRules.EscapeIdentifier(p.Symbol.Name),
                    JsonName = ContractRules.ToCamelCase(p.Symbol.Name),
                    Type = p.Type,
                    ConstructorIndex = i,
                    SetInInitializer = false,
                });
                _types[fullName] = NewModel(fullName, CodecTypeKind.ArgumentStruct, isValueType: true) with
                {
                    Members = members.ToEquatableArray(),
                    HasParameterizedConstructor = true,
                };
            }

            private bool Collect(ITypeSymbol type, string fullName)
            {
                if (_types.ContainsKey(fullName) || _inProgress.Contains(fullName))
                {
                    return true;
                }
                if (type is INamedTypeSymbol { IsFileLocal: true } || !ContractRules.IsAccessibleInAssembly(type, _compilation))
                {
                    return false;
                }
                if (ContractRules.IsProtobufMessage(type))
                {
                    if (!ContractRules.HasProtobufParser(type))
                    {
                        // The generated codecs register the message's Parser.
                        return false;
                    }
                    _types[fullName] = NewModel(fullName, CodecTypeKind.Protobuf, isValueType: false);
                    return true;
                }

                var collectionKind = ContractRules.GetCollectionKind(type, out var keyType, out var elementType);
                if (collectionKind != CollectionKind.None)
                {
                    return CollectCollection(type, fullName, collectionKind, keyType, elementType!);
                }
                if (type is INamedTypeSymbol { TypeKind: TypeKind.Enum, EnumUnderlyingType: { } underlying } enumType)
                {
                    _types[fullName] = CreateEnum(enumType, underlying, fullName);
                    return true;
                }
                if (ContractRules.IsObjectCandidate(type))
                {
                    _inProgress.Add(fullName);
                    var model = CreateObject((INamedTypeSymbol)type, fullName);
                    _inProgress.Remove(fullName);
                    if (model is null)
                    {
                        return false;
                    }
                    _types[fullName] = model;
                    return true;
                }
                return false;
            }

            private bool CollectCollection(ITypeSymbol type, string fullName, CollectionKind kind, ITypeSymbol? keyType, ITypeSymbol elementType)
            {
                var element = GetTypeRef(elementType);
                if (element is null)
                {
                    return false;
                }
                TypeRef? key = null;
                if (keyType is not null)
                {
                    key = GetTypeRef(keyType);
                    // JSON writes a dictionary as an object: its keys must have a property-name form.
                    if (key is null || !(key.IsEnum || (key.Builtin is { } b && ContractRules.IsBuiltinJsonKey(b))))
                    {
                        return false;
                    }
                }
                _types[fullName] = NewModel(fullName, CodecTypeKind.Collection, type.IsValueType) with
                {
                    CollectionKind = kind,
                    ElementType = element,
                    KeyType = key,
                };
                return true;
            }

            private CodecTypeModel CreateEnum(INamedTypeSymbol enumType, INamedTypeSymbol underlying, string fullName)
            {
                var members = new List<EnumMemberModel>();
                var seenValues = new HashSet<string>(StringComparer.Ordinal);
                foreach (var field in enumType.GetMembers().OfType<IFieldSymbol>())
                {
                    if (!field.HasConstantValue || field.ConstantValue is null)
                    {
                        continue;
                    }
                    var value = Convert.ToString(field.ConstantValue, CultureInfo.InvariantCulture) ?? string.Empty;
                    // Two names for one value would be two equal case labels; the first name is the one written.
                    if (seenValues.Add(value))
                    {
                        members.Add(new EnumMemberModel { Identifier = ContractRules.EscapeIdentifier(field.Name), Name = field.Name, Value = value });
                    }
                }
                return NewModel(fullName, CodecTypeKind.Enum, isValueType: true) with
                {
                    EnumUnderlyingType = Names.Identity(underlying),
                    EnumMembers = members.ToEquatableArray(),
                };
            }

            private CodecTypeModel? CreateObject(INamedTypeSymbol type, string fullName)
            {
                // Data members, base type's first; a member hidden with `new` is taken from the most derived type.
                var dataMembers = ContractRules.GetDataMembers(type);

                var constructor = ContractRules.ChooseConstructor(type);
                if (constructor is null)
                {
                    return null;
                }
                // Each constructor parameter must set a member of the same type (matched case-insensitively, as positional records do).
                var constructorIndex = new Dictionary<string, int>(StringComparer.Ordinal);
                for (var i = 0; i < constructor.Parameters.Length; i++)
                {
                    var parameter = constructor.Parameters[i];
                    var match = dataMembers.FirstOrDefault(m => string.Equals(m.Name, parameter.Name, StringComparison.OrdinalIgnoreCase));
                    if (match is null || parameter.RefKind != RefKind.None ||
                        !SymbolEqualityComparer.Default.Equals(ContractRules.GetMemberType(match), parameter.Type) ||
                        constructorIndex.ContainsKey(match.Name))
                    {
                        return null;
                    }
                    constructorIndex[match.Name] = i;
                }

                var members = new List<MemberModel>();
                var jsonNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                foreach (var member in dataMembers)
                {
                    var memberType = ContractRules.GetMemberType(member);
                    var typeRef = GetTypeRef(memberType);
                    var jsonName = ContractRules.ToCamelCase(member.Name);
                    if (typeRef is null || !jsonNames.Add(jsonName))
                    {
                        // A member the codecs cannot carry, or two members whose JSON names differ only in case.
                        return null;
                    }
                    var index = constructorIndex.TryGetValue(member.Name, out var found) ? found : -1;
                    var isRequired = member is IPropertySymbol { IsRequired: true } or IFieldSymbol { IsRequired: true };
                    members.Add(new MemberModel
                    {
                        Name = member.Name,
                        Identifier = ContractRules.EscapeIdentifier(member.Name),
                        JsonName = jsonName,
                        Type = typeRef,
                        ConstructorIndex = index,
                        SetInInitializer = ContractRules.IsWritable(member) && (index < 0 || isRequired),
                    });
                }
                return NewModel(fullName, CodecTypeKind.Object, type.IsValueType) with
                {
                    Members = members.ToEquatableArray(),
                    HasParameterizedConstructor = constructor.Parameters.Length > 0,
                };
            }

            private static CodecTypeModel NewModel(string fullName, CodecTypeKind kind, bool isValueType) => new()
            {
                FullName = fullName,
                Kind = kind,
                IsValueType = isValueType,
                Members = EquatableArray<MemberModel>.Empty,
                HasParameterizedConstructor = false,
                EnumUnderlyingType = string.Empty,
                EnumMembers = EquatableArray<EnumMemberModel>.Empty,
                CollectionKind = CollectionKind.None,
                ElementType = null,
                KeyType = null,
            };
        }
    }
}

using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using MicroGen.Generator.Model;
using MethodKind = MicroGen.Generator.Model.MethodKind;

namespace MicroGen.Generator;

// The rules below are the ones the analyzers report on. The parser applies the same methods, so a
// contract the analyzers accept is one the generator compiles, and one they reject (an error) is
// one it skips. Keep every rule here side-effect free and cheap: the analyzers run it as you type.
internal static partial class ContractRules
{
    /// <summary>The version the diagnostics suggest when a contract sets an unusable one.</summary>
    public const string SuggestedVersion = "1.0.0";

    /// <summary>
    /// Whether <paramref name="name"/> follows go-micro's service-name conventions: not empty, only
    /// ASCII letters, digits, <c>.</c>, <c>-</c> and <c>_</c>, no leading, trailing or double dot
    /// (<c>greeter</c>, <c>go.micro.srv.greeter</c>, <c>user-service</c>).
    /// </summary>
    public static bool IsValidServiceName(string? name) => IsDottedName(name);

    /// <summary>
    /// Whether <paramref name="topic"/> is a valid topic name: the same alphabet as a service name
    /// (<c>user.created</c>). Topics are matched exactly (the embedded broker registers one service per
    /// topic), so no wildcard is allowed.
    /// </summary>
    public static bool IsValidTopic(string? topic) => IsDottedName(topic);

    /// <summary>Whether a <c>[MicroService(Version = …)]</c> value is missing: the generator then uses <see cref="DefaultVersion"/>.</summary>
    public static bool IsMissingVersion(string? version) => string.IsNullOrWhiteSpace(version);

    /// <summary>
    /// Whether a version set on <c>[MicroService]</c> is usable: ASCII letters, digits, <c>.</c>,
    /// <c>-</c>, <c>_</c> and <c>+</c> only (it is advertised in the registry and written into
    /// generated code and documentation).
    /// </summary>
    public static bool IsValidVersion(string version)
    {
        foreach (var c in version)
        {
            if (!IsAsciiLetterOrDigit(c) && c is not ('.' or '-' or '_' or '+'))
            {
                return false;
            }
        }
        return version.Length > 0;
    }

    /// <summary>
    /// Whether a version looks like a semantic version (<c>1</c>, <c>1.2</c>, <c>1.2.3</c>, with an
    /// optional leading <c>v</c> and <c>-pre</c>/<c>+build</c> suffixes) or is go-micro's <c>latest</c>.
    /// </summary>
    public static bool IsSemanticVersion(string version)
    {
        if (version == DefaultVersion)
        {
            return true;
        }
        var i = version.Length > 0 && version[0] is 'v' or 'V' ? 1 : 0;
        var parts = 0;
        while (true)
        {
            var start = i;
            while (i < version.Length && version[i] is >= '0' and <= '9')
            {
                i++;
            }
            if (i == start)
            {
                return false;
            }
            parts++;
            if (i < version.Length && version[i] == '.' && parts < 3)
            {
                i++;
                continue;
            }
            break;
        }
        if (i == version.Length)
        {
            return true;
        }
        if (version[i] is not ('-' or '+') || i == version.Length - 1)
        {
            return false;
        }
        for (i++; i < version.Length; i++)
        {
            if (!IsAsciiLetterOrDigit(version[i]) && version[i] is not ('.' or '-' or '+'))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Whether the generator emits a method's streaming shape: one call carries at most one stream
    /// each way, so at most one <c>IAsyncEnumerable&lt;T&gt;</c> parameter (MG0017 otherwise).
    /// </summary>
    public static bool IsSupportedStreamShape(IMethodSymbol method) => CountStreamParameters(method) <= 1;

    /// <summary>
    /// Whether generated code in the contract's namespace can implement <paramref name="contract"/>:
    /// not file-local, and accessible from the assembly (not private or protected nested).
    /// </summary>
    public static bool IsImplementable(INamedTypeSymbol contract, Compilation compilation) =>
        !contract.IsFileLocal && IsAccessibleInAssembly(contract, compilation);

    /// <summary>
    /// Whether a symbol is still being typed: its name is missing (<c>public interface {</c>,
    /// <c>Task M(int , …)</c>). The compiler reports the syntax error; the generator skips it.
    /// </summary>
    public static bool IsIncomplete(ISymbol symbol) => symbol.Name.Length == 0;

    /// <summary>
    /// Whether a protobuf message has the static <c>Parser</c> property protoc generates (the
    /// generated codecs register it); a hand-written <c>IMessage&lt;T&gt;</c> may lack it.
    /// </summary>
    public static bool HasProtobufParser(ITypeSymbol message) =>
        message.GetMembers("Parser").Any(m =>
            m is IPropertySymbol { IsStatic: true, DeclaredAccessibility: Accessibility.Public, Type: INamedTypeSymbol parserType } &&
            parserType.OriginalDefinition.MetadataName == "MessageParser`1" &&
            parserType.ContainingNamespace?.ToDisplayString() == "Google.Protobuf" &&
            SymbolEqualityComparer.Default.Equals(parserType.TypeArguments[0], message));

    /// <summary>Why a parameter cannot be part of a contract method, or <see cref="ParameterProblem.None"/>.</summary>
    public static ParameterProblem GetParameterProblem(IParameterSymbol parameter)
    {
        switch (parameter.RefKind)
        {
            case RefKind.Ref: return ParameterProblem.Ref;
            case RefKind.Out: return ParameterProblem.Out;
            case RefKind.In: return ParameterProblem.In;
            case RefKind.RefReadOnlyParameter: return ParameterProblem.RefReadOnly;
        }
        if (parameter.IsParams)
        {
            return ParameterProblem.Params;
        }
        return parameter.Type.TypeKind is TypeKind.Pointer or TypeKind.FunctionPointer ? ParameterProblem.Pointer : ParameterProblem.None;
    }

    /// <summary>
    /// Reads a method's <c>[Endpoint]</c>: false when it has none; else true, with the name when it is
    /// usable (see <see cref="IsValidEndpointOverride"/>) and null when it is not.
    /// </summary>
    public static bool TryGetEndpointOverride(IMethodSymbol method, out string? name, out AttributeData? attribute)
    {
        foreach (var candidate in method.GetAttributes())
        {
            if (candidate.AttributeClass?.ToDisplayString() == EndpointAttribute)
            {
                attribute = candidate;
                name = candidate.ConstructorArguments.Length == 1 && candidate.ConstructorArguments[0].Value is string value && IsValidEndpointOverride(value)
                    ? value
                    : null;
                return true;
            }
        }
        name = null;
        attribute = null;
        return false;
    }

    /// <summary>
    /// The data members of an object type the codecs carry, base type's first; a member hidden with
    /// <c>new</c> is taken from the most derived type.
    /// </summary>
    public static List<ISymbol> GetDataMembers(INamedTypeSymbol type)
    {
        var levels = new List<List<ISymbol>>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var t = type; t is not null && t.SpecialType is not (SpecialType.System_Object or SpecialType.System_ValueType); t = t.BaseType)
        {
            var level = new List<ISymbol>();
            foreach (var member in t.GetMembers())
            {
                if (IsDataMember(member) && seen.Add(member.Name))
                {
                    level.Add(member);
                }
            }
            levels.Insert(0, level);
        }
        return levels.SelectMany(static l => l).ToList();
    }

    /// <summary>
    /// The constructor reading uses: a public parameterless one when the type declares it
    /// (classes: also the implicit one); else the only public constructor with parameters
    /// (a positional record's); for structs, else the implicit parameterless one. Null when none fits.
    /// </summary>
    public static IMethodSymbol? ChooseConstructor(INamedTypeSymbol type)
    {
        var candidates = type.InstanceConstructors
            .Where(c => c.DeclaredAccessibility == Accessibility.Public && !IsCopyConstructor(c, type))
            .ToList();
        var parameterless = candidates.FirstOrDefault(c => c.Parameters.Length == 0 && (type.TypeKind == TypeKind.Class || !c.IsImplicitlyDeclared));
        if (parameterless is not null)
        {
            return parameterless;
        }
        var parameterized = candidates.Where(static c => c.Parameters.Length > 0).ToList();
        if (parameterized.Count == 1)
        {
            return parameterized[0];
        }
        return type.TypeKind == TypeKind.Struct ? candidates.FirstOrDefault(static c => c.Parameters.Length == 0) : null;
    }

    /// <summary>The type of a data member (property or field).</summary>
    public static ITypeSymbol GetMemberType(ISymbol member) => member switch
    {
        IPropertySymbol property => property.Type,
        IFieldSymbol field => field.Type,
        _ => throw new ArgumentException("not a data member", nameof(member)),
    };

    /// <summary>Whether reading can set a data member after construction (public setter or <c>init</c>, or a writable field).</summary>
    public static bool IsWritable(ISymbol member) => member switch
    {
        IPropertySymbol property => property.SetMethod is { DeclaredAccessibility: Accessibility.Public },
        IFieldSymbol field => !field.IsReadOnly,
        _ => false,
    };

    /// <summary>
    /// The first reason the codecs cannot carry <paramref name="type"/> (walking members, elements
    /// and type arguments as the parser does), or null when they can.
    /// </summary>
    public static CarryProblem? FindCarryProblem(ITypeSymbol type, Compilation compilation, CancellationToken cancellationToken) =>
        new CarryChecker(compilation, cancellationToken).Check(type);

    /// <summary>
    /// The members of object type <paramref name="type"/> (declared on it, not inherited) whose
    /// values the codecs would silently lose: written but never read back (no setter and no matching
    /// constructor parameter), or never written at all (state kept in a non-public field or
    /// auto-property). Members marked with a serializer's ignore attribute are left out on purpose.
    /// </summary>
    public static List<LossyMember> GetLossyMembers(INamedTypeSymbol type)
    {
        var lossy = new List<LossyMember>();
        if (!IsObjectCandidate(type) || IsProtobufMessage(type) || ChooseConstructor(type) is not { } constructor)
        {
            return lossy;
        }
        var dataMembers = GetDataMembers(type);
        var constructorSet = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var parameter in constructor.Parameters)
        {
            constructorSet.Add(parameter.Name);
        }
        var backedProperties = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        foreach (var member in type.GetMembers())
        {
            if (member is IFieldSymbol { AssociatedSymbol: IPropertySymbol property })
            {
                backedProperties.Add(property);
            }
        }

        foreach (var member in type.GetMembers())
        {
            if (member.IsStatic || member.IsImplicitlyDeclared || IsIgnored(member))
            {
                continue;
            }
            var isDataMember = dataMembers.Contains(member, SymbolEqualityComparer.Default);
            switch (member)
            {
                case IFieldSymbol { IsConst: false, AssociatedSymbol: null } field when isDataMember:
                    if (!IsWritable(field) && !constructorSet.Contains(field.Name))
                    {
                        lossy.Add(new LossyMember(field, LossKind.NotReadBack));
                    }
                    break;
                case IFieldSymbol { IsConst: false, AssociatedSymbol: null, IsFixedSizeBuffer: false } field:
                    lossy.Add(new LossyMember(field, LossKind.NotWritten));
                    break;
                case IPropertySymbol { IsIndexer: false } property when backedProperties.Contains(property):
                    if (!isDataMember)
                    {
                        lossy.Add(new LossyMember(property, LossKind.NotWritten));
                    }
                    else if (!IsWritable(property) && !constructorSet.Contains(property.Name))
                    {
                        lossy.Add(new LossyMember(property, LossKind.NotReadBack));
                    }
                    break;
            }
        }
        return lossy;
    }

    /// <summary>
    /// Why a subscriber that decodes events as <paramref name="subscribed"/> does not get what a
    /// publisher encodes as <paramref name="published"/>, judged on the wire format the generated
    /// routines use; null when it does, or when the types do not tell.
    /// </summary>
    /// <remarks>
    /// Mirrors the emitter. An object is a map keyed by member name; reading skips keys it does not
    /// know and leaves members it finds no key for at their default. So a subscriber type that reads
    /// a subset of the published members (a projection, a base type) is fine, while one that reads a
    /// member the publisher never writes gets nothing for it, and a member written as one type and
    /// read as another fails to decode. Enums travel as their underlying integer; integers of any
    /// width read each other, and a floating-point type reads an integer (MessagePack converts the
    /// value). Arrays and lists are the same array; nullable value types are their value. A protobuf
    /// message travels as <c>application/protobuf</c>, everything else as MessagePack. Types the codecs
    /// cannot carry are left to MG0018.
    /// </remarks>
    public static EventMismatch? FindEventMismatch(ITypeSymbol published, ITypeSymbol subscribed) =>
        new EventComparer().Compare(published, subscribed, path: null);

    private static bool IsCopyConstructor(IMethodSymbol constructor, INamedTypeSymbol type) =>
        constructor.Parameters.Length == 1 && SymbolEqualityComparer.Default.Equals(constructor.Parameters[0].Type, type);

    private static bool IsDottedName(string? name)
    {
        if (name is not { Length: > 0 } || name[0] == '.' || name[name.Length - 1] == '.')
        {
            return false;
        }
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (c == '.' ? name[i - 1] == '.' : !IsAsciiLetterOrDigit(c) && c is not ('-' or '_'))
            {
                return false;
            }
        }
        return true;
    }

    private static bool IsAsciiLetterOrDigit(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9');

    /// <summary>
    /// Walks a type graph exactly as the parser's type collector does, but reports why a type
    /// cannot be carried instead of building models. Scoped to one contract or type.
    /// </summary>
    internal sealed class CarryChecker
    {
        private readonly Compilation _compilation;
        private readonly CancellationToken _cancellationToken;
        // Keyed by symbol identity without nullable annotations, as the parser keys by fully qualified
        // name; comparing symbols spares a display string per visit (the analyzers run as you type).
        private readonly HashSet<ITypeSymbol> _carried = new(SymbolEqualityComparer.Default);
        private readonly HashSet<ITypeSymbol> _inProgress = new(SymbolEqualityComparer.Default);

        public CarryChecker(Compilation compilation, CancellationToken cancellationToken)
        {
            _compilation = compilation;
            _cancellationToken = cancellationToken;
        }

        /// <summary>Every type found carriable so far (objects, enums, collections, protobuf messages).</summary>
        public IReadOnlyCollection<ITypeSymbol> CarriedTypes => _carried;

        /// <summary>The first reason <paramref name="type"/> cannot be carried, or null.</summary>
        public CarryProblem? Check(ITypeSymbol type)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            if (GetBuiltinRoutineName(type) is not null)
            {
                return null;
            }
            if (_carried.Contains(type) || _inProgress.Contains(type))
            {
                return null;
            }
            if (type is INamedTypeSymbol { IsFileLocal: true } || !IsAccessibleInAssembly(type, _compilation))
            {
                return new CarryProblem(type, CarryProblemKind.Inaccessible);
            }
            if (IsProtobufMessage(type))
            {
                if (!HasProtobufParser(type))
                {
                    return new CarryProblem(type, CarryProblemKind.ProtobufWithoutParser);
                }
                _carried.Add(type);
                return null;
            }
            var collectionKind = GetCollectionKind(type, out var keyType, out var elementType);
            if (collectionKind != CollectionKind.None)
            {
                if (Check(elementType!) is { } elementProblem)
                {
                    return elementProblem;
                }
                if (keyType is not null)
                {
                    if (Check(keyType) is { } keyProblem)
                    {
                        return keyProblem;
                    }
                    if (keyType.TypeKind != TypeKind.Enum && !(GetBuiltinRoutineName(keyType) is { } builtin && IsBuiltinJsonKey(builtin)))
                    {
                        return new CarryProblem(keyType, CarryProblemKind.DictionaryKey);
                    }
                }
                _carried.Add(type);
                return null;
            }
            if (type is INamedTypeSymbol { TypeKind: TypeKind.Enum, EnumUnderlyingType: not null })
            {
                _carried.Add(type);
                return null;
            }
            if (IsObjectCandidate(type))
            {
                _inProgress.Add(type);
                var problem = CheckObject((INamedTypeSymbol)type);
                _inProgress.Remove(type);
                if (problem is null)
                {
                    _carried.Add(type);
                }
                return problem;
            }
            return new CarryProblem(type, Classify(type));
        }

        private CarryProblem? CheckObject(INamedTypeSymbol type)
        {
            var dataMembers = GetDataMembers(type);
            var constructor = ChooseConstructor(type);
            if (constructor is null)
            {
                return new CarryProblem(type, CarryProblemKind.NoUsableConstructor);
            }
            var matched = new HashSet<string>(StringComparer.Ordinal);
            foreach (var parameter in constructor.Parameters)
            {
                var match = dataMembers.FirstOrDefault(m => string.Equals(m.Name, parameter.Name, StringComparison.OrdinalIgnoreCase));
                if (match is null || parameter.RefKind != RefKind.None ||
                    !SymbolEqualityComparer.Default.Equals(GetMemberType(match), parameter.Type) ||
                    !matched.Add(match.Name))
                {
                    return new CarryProblem(type, CarryProblemKind.ConstructorParameterMismatch, parameter);
                }
            }
            var jsonNames = new Dictionary<string, ISymbol>(StringComparer.OrdinalIgnoreCase);
            foreach (var member in dataMembers)
            {
                if (Check(GetMemberType(member)) is { } problem)
                {
                    return problem.Via(member);
                }
                var jsonName = ToCamelCase(member.Name);
                if (jsonNames.TryGetValue(jsonName, out var other))
                {
                    return new CarryProblem(type, CarryProblemKind.DuplicateJsonName, member, other);
                }
                jsonNames.Add(jsonName, member);
            }
            return null;
        }

        private static CarryProblemKind Classify(ITypeSymbol type)
        {
            if (type.TypeKind == TypeKind.Error || type is INamedTypeSymbol { IsUnboundGenericType: true })
            {
                return CarryProblemKind.Error;
            }
            if (ContainsTypeParameter(type))
            {
                return CarryProblemKind.OpenGeneric;
            }
            switch (type.TypeKind)
            {
                case TypeKind.Delegate:
                    return CarryProblemKind.Delegate;
                case TypeKind.Pointer:
                case TypeKind.FunctionPointer:
                    return CarryProblemKind.Pointer;
                case TypeKind.Dynamic:
                case TypeKind.Interface:
                    return CarryProblemKind.NoKnownSerializer;
                case TypeKind.Array:
                    return CarryProblemKind.MultiDimensionalArray;
            }
            if (type.IsRefLikeType)
            {
                return CarryProblemKind.RefStruct;
            }
            for (var t = type; t is not null; t = t.BaseType)
            {
                if (t.Name == "Stream" && t.ContainingNamespace?.ToDisplayString() == "System.IO")
                {
                    return CarryProblemKind.Stream;
                }
            }
            if (type.SpecialType == SpecialType.System_Object || type.IsAbstract)
            {
                return CarryProblemKind.NoKnownSerializer;
            }
            if (type is INamedTypeSymbol named && IsFrameworkType(named))
            {
                return CarryProblemKind.FrameworkType;
            }
            return CarryProblemKind.Unsupported;
        }
    }
}

/// <summary>Compares what a publisher writes with what a subscriber reads (see <see cref="ContractRules.FindEventMismatch"/>).</summary>
internal sealed class EventComparer
{
    // Pairs already being compared: recursive types (a node with a list of nodes) end here.
    private readonly HashSet<(ITypeSymbol Published, ITypeSymbol Subscribed)> _visiting = new(PairComparer.Instance);

    private enum WireShape
    {
        Unknown,
        Integer,
        Float,
        Leaf,
        Sequence,
        Map,
        Object,
        Protobuf,
    }

    /// <summary>The first difference between <paramref name="published"/> and <paramref name="subscribed"/> at <paramref name="path"/>, or null.</summary>
    public EventMismatch? Compare(ITypeSymbol published, ITypeSymbol subscribed, string? path)
    {
        published = Unwrap(published);
        subscribed = Unwrap(subscribed);
        if (SymbolEqualityComparer.Default.Equals(published, subscribed))
        {
            return null;
        }
        var publishedShape = Classify(published);
        var subscribedShape = Classify(subscribed);
        if (publishedShape == WireShape.Unknown || subscribedShape == WireShape.Unknown)
        {
            return null;
        }
        if (publishedShape != subscribedShape)
        {
            if (publishedShape == WireShape.Integer && subscribedShape == WireShape.Float)
            {
                return null;
            }
            var kind = path is null && (publishedShape == WireShape.Protobuf || subscribedShape == WireShape.Protobuf)
                ? EventMismatchKind.DifferentEncoding
                : EventMismatchKind.DifferentType;
            return new EventMismatch(kind, path, published, subscribed);
        }
        switch (subscribedShape)
        {
            case WireShape.Integer:
            case WireShape.Float:
                return null;
            case WireShape.Leaf:
                return new EventMismatch(EventMismatchKind.DifferentType, path, published, subscribed);
            case WireShape.Protobuf:
                return new EventMismatch(path is null ? EventMismatchKind.DifferentProtobufMessage : EventMismatchKind.DifferentType, path, published, subscribed);
            case WireShape.Sequence:
            case WireShape.Map:
                ContractRules.GetCollectionKind(published, out var publishedKey, out var publishedElement);
                ContractRules.GetCollectionKind(subscribed, out var subscribedKey, out var subscribedElement);
                if (publishedKey is not null && subscribedKey is not null && Compare(publishedKey, subscribedKey, path) is not null)
                {
                    return new EventMismatch(EventMismatchKind.DifferentType, path, published, subscribed);
                }
                return Compare(publishedElement!, subscribedElement!, path);
            default:
                return CompareObjects((INamedTypeSymbol)published, (INamedTypeSymbol)subscribed, path);
        }
    }

    private EventMismatch? CompareObjects(INamedTypeSymbol published, INamedTypeSymbol subscribed, string? path)
    {
        if (ContractRules.ChooseConstructor(subscribed) is not { } constructor || !_visiting.Add((published, subscribed)))
        {
            return null;
        }
        try
        {
            var written = new Dictionary<string, ITypeSymbol>(StringComparer.Ordinal);
            foreach (var member in ContractRules.GetDataMembers(published))
            {
                written[member.Name] = ContractRules.GetMemberType(member);
            }
            foreach (var member in ContractRules.GetDataMembers(subscribed))
            {
                // Read back as the parser builds it: through a constructor parameter of the same name, or a setter.
                var isRead = ContractRules.IsWritable(member) ||
                    constructor.Parameters.Any(p => string.Equals(p.Name, member.Name, StringComparison.OrdinalIgnoreCase));
                if (!isRead)
                {
                    continue;
                }
                var memberPath = path is null ? member.Name : path + "." + member.Name;
                var memberType = ContractRules.GetMemberType(member);
                if (!written.TryGetValue(member.Name, out var writtenType))
                {
                    return new EventMismatch(EventMismatchKind.MissingMember, memberPath, published, subscribed);
                }
                if (Compare(writtenType, memberType, memberPath) is { } mismatch)
                {
                    return mismatch;
                }
            }
            return null;
        }
        finally
        {
            _visiting.Remove((published, subscribed));
        }
    }

    private static ITypeSymbol Unwrap(ITypeSymbol type) =>
        type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable ? nullable.TypeArguments[0] : type;

    private static WireShape Classify(ITypeSymbol type)
    {
        if (type.TypeKind == TypeKind.Error || ContractRules.ContainsTypeParameter(type))
        {
            return WireShape.Unknown;
        }
        if (ContractRules.IsProtobufMessage(type))
        {
            return WireShape.Protobuf;
        }
        if (type.TypeKind == TypeKind.Enum)
        {
            return WireShape.Integer;
        }
        switch (ContractRules.GetBuiltinRoutineName(type))
        {
            case "Byte" or "SByte" or "Int16" or "UInt16" or "Int32" or "UInt32" or "Int64" or "UInt64" or "Char":
                return WireShape.Integer;
            case "Single" or "Double":
                return WireShape.Float;
            case not null:
                return WireShape.Leaf;
        }
        switch (ContractRules.GetCollectionKind(type, out _, out _))
        {
            case CollectionKind.Array or CollectionKind.List or CollectionKind.ReadOnlyList:
                return WireShape.Sequence;
            case CollectionKind.Dictionary or CollectionKind.ReadOnlyDictionary:
                return WireShape.Map;
            case CollectionKind.None:
                break;
            default:
                return WireShape.Unknown;
        }
        return ContractRules.IsObjectCandidate(type) ? WireShape.Object : WireShape.Unknown;
    }

    private sealed class PairComparer : IEqualityComparer<(ITypeSymbol Published, ITypeSymbol Subscribed)>
    {
        public static readonly PairComparer Instance = new();

        public bool Equals((ITypeSymbol Published, ITypeSymbol Subscribed) x, (ITypeSymbol Published, ITypeSymbol Subscribed) y) =>
            SymbolEqualityComparer.Default.Equals(x.Published, y.Published) && SymbolEqualityComparer.Default.Equals(x.Subscribed, y.Subscribed);

        public int GetHashCode((ITypeSymbol Published, ITypeSymbol Subscribed) obj) =>
            (SymbolEqualityComparer.Default.GetHashCode(obj.Published) * 31) ^ SymbolEqualityComparer.Default.GetHashCode(obj.Subscribed);
    }
}

/// <summary>Why a parameter cannot be part of a contract method.</summary>
internal enum ParameterProblem
{
    /// <summary>The parameter is fine.</summary>
    None,

    /// <summary>A <c>ref</c> parameter.</summary>
    Ref,

    /// <summary>An <c>out</c> parameter.</summary>
    Out,

    /// <summary>An <c>in</c> parameter.</summary>
    In,

    /// <summary>A <c>ref readonly</c> parameter.</summary>
    RefReadOnly,

    /// <summary>A <c>params</c> parameter.</summary>
    Params,

    /// <summary>A pointer or function pointer.</summary>
    Pointer,
}

/// <summary>Why the codecs cannot carry a type.</summary>
internal enum CarryProblemKind
{
    /// <summary>The type does not bind (the compiler reports it); nothing to add.</summary>
    Error,

    /// <summary>Not accessible to the generated code (private, protected or file-local).</summary>
    Inaccessible,

    /// <summary>An open generic: a type parameter, or a type built from one.</summary>
    OpenGeneric,

    /// <summary>A delegate.</summary>
    Delegate,

    /// <summary>A pointer or function pointer.</summary>
    Pointer,

    /// <summary>A ref struct such as <c>Span&lt;T&gt;</c>.</summary>
    RefStruct,

    /// <summary>A <c>System.IO.Stream</c>.</summary>
    Stream,

    /// <summary><c>object</c>, <c>dynamic</c>, an interface or an abstract class: no known serializer for the runtime type.</summary>
    NoKnownSerializer,

    /// <summary>A multi-dimensional array.</summary>
    MultiDimensionalArray,

    /// <summary>A framework type that is neither a leaf nor a supported collection.</summary>
    FrameworkType,

    /// <summary>A dictionary key that has no JSON property-name form.</summary>
    DictionaryKey,

    /// <summary>An object type with no constructor reading can use.</summary>
    NoUsableConstructor,

    /// <summary>A constructor parameter that sets no public member of the same type.</summary>
    ConstructorParameterMismatch,

    /// <summary>Two members whose JSON names differ only in case.</summary>
    DuplicateJsonName,

    /// <summary>A Google.Protobuf message without the static <c>Parser</c> property protoc generates.</summary>
    ProtobufWithoutParser,

    /// <summary>Any other type the codecs do not know.</summary>
    Unsupported,
}

/// <summary>
/// Why a type cannot be carried: the type at fault, the member path that leads to it from the
/// type first checked (outermost first), and the member or parameter concerned.
/// </summary>
internal sealed class CarryProblem
{
    public CarryProblem(ITypeSymbol type, CarryProblemKind kind, ISymbol? subject = null, ISymbol? other = null)
    {
        Type = type;
        Kind = kind;
        Subject = subject;
        Other = other;
        Path = ImmutableArray<ISymbol>.Empty;
    }

    private CarryProblem(CarryProblem inner, ImmutableArray<ISymbol> path)
    {
        Type = inner.Type;
        Kind = inner.Kind;
        Subject = inner.Subject;
        Other = inner.Other;
        Path = path;
    }

    /// <summary>The type that cannot be carried.</summary>
    public ITypeSymbol Type { get; }

    /// <summary>Why.</summary>
    public CarryProblemKind Kind { get; }

    /// <summary>The constructor parameter or member concerned, for the kinds about one.</summary>
    public ISymbol? Subject { get; }

    /// <summary>The other member of a <see cref="CarryProblemKind.DuplicateJsonName"/> clash.</summary>
    public ISymbol? Other { get; }

    /// <summary>The members walked from the checked type to <see cref="Type"/>, outermost first.</summary>
    public ImmutableArray<ISymbol> Path { get; }

    /// <summary>The same problem, reached through <paramref name="member"/>.</summary>
    public CarryProblem Via(ISymbol member) => new(this, Path.Insert(0, member));
}

/// <summary>How a member's value is lost by the codecs.</summary>
internal enum LossKind
{
    /// <summary>Written, but reading has no way to set it (no setter, no constructor parameter).</summary>
    NotReadBack,

    /// <summary>Never written: a non-public field or auto-property.</summary>
    NotWritten,
}

/// <summary>A member whose value the codecs would silently lose.</summary>
internal readonly struct LossyMember
{
    public LossyMember(ISymbol member, LossKind kind)
    {
        Member = member;
        Kind = kind;
    }

    /// <summary>The field or property.</summary>
    public ISymbol Member { get; }

    /// <summary>How its value is lost.</summary>
    public LossKind Kind { get; }
}

/// <summary>How what a publisher writes differs from what a subscriber reads.</summary>
internal enum EventMismatchKind
{
    /// <summary>One is a protobuf message and the other is not: they travel in different content types.</summary>
    DifferentEncoding,

    /// <summary>Two different protobuf messages.</summary>
    DifferentProtobufMessage,

    /// <summary>The event (or the member at the path) is written as one type and read as another.</summary>
    DifferentType,

    /// <summary>The subscriber reads a member the published type does not have, so it is always left at its default.</summary>
    MissingMember,
}

/// <summary>
/// Where and how a published event type differs from a subscribed one: the member path from the
/// event (null for the event itself) and the types at that path (for <see cref="EventMismatchKind.MissingMember"/>,
/// the two object types, the published one lacking the member the subscribed one reads).
/// </summary>
internal sealed class EventMismatch
{
    public EventMismatch(EventMismatchKind kind, string? path, ITypeSymbol published, ITypeSymbol subscribed)
    {
        Kind = kind;
        Path = path;
        Published = published;
        Subscribed = subscribed;
    }

    /// <summary>How they differ.</summary>
    public EventMismatchKind Kind { get; }

    /// <summary>The member path, <c>Total.Amount</c>, or null for the event types themselves.</summary>
    public string? Path { get; }

    /// <summary>The type written at <see cref="Path"/> (for a missing member, the object type that lacks it).</summary>
    public ITypeSymbol Published { get; }

    /// <summary>The type read at <see cref="Path"/> (for a missing member, the object type that reads it).</summary>
    public ITypeSymbol Subscribed { get; }

    /// <summary>The last member of <see cref="Path"/>: the member that is missing or differs.</summary>
    public string? Member => Path?.Substring(Path.LastIndexOf('.') + 1);
}

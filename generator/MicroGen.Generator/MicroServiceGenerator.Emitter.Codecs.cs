using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using MicroGen.Generator.Helpers;
using MicroGen.Generator.Model;

namespace MicroGen.Generator;

public sealed partial class MicroServiceGenerator
{
    internal static partial class Emitter
    {
        /// <summary>The class holding the JSON routines of collections and protobuf messages, built on first use.</summary>
        private const string JsonRoutinesHolder = "MicroGenJsonRoutines";

        /// <summary>Writes the shared files: every codec routine, and the module initializer registering them and the contracts.</summary>
        public static void EmitShared(SourceProductionContext context, SharedModel model)
        {
            if (model.Contracts.IsEmpty && model.CodecTypes.IsEmpty)
            {
                return;
            }
            var names = new CodecNames(model.CodecTypes);
            context.AddSource(CodecsHintName, WriteCodecs(model, names).ToSourceText());
            context.AddSource(RegistrationHintName, WriteRegistration(model, names).ToSourceText());
        }

        /// <summary>The codecs file's text (exposed for tests).</summary>
        public static SourceWriter WriteCodecs(SharedModel model) => WriteCodecs(model, new CodecNames(model.CodecTypes));

        /// <summary>The registration file's text (exposed for tests).</summary>
        public static SourceWriter WriteRegistration(SharedModel model) => WriteRegistration(model, new CodecNames(model.CodecTypes));

        private static SourceWriter WriteCodecs(SharedModel model, CodecNames names)
        {
            var writer = new SourceWriter();
            WriteHeader(writer);
            writer.WriteLine($"namespace {GeneratedNamespace}");
            writer.OpenBlock();
            var first = true;
            foreach (var type in model.CodecTypes)
            {
                switch (type.Kind)
                {
                    case CodecTypeKind.Object:
                    case CodecTypeKind.ArgumentStruct:
                        Separate(writer, ref first);
                        WriteObjectFormatter(writer, type, names);
                        writer.WriteLine();
                        WriteObjectJsonRoutine(writer, type, names);
                        break;
                    case CodecTypeKind.Enum:
                        Separate(writer, ref first);
                        WriteEnumFormatter(writer, type, names);
                        writer.WriteLine();
                        WriteEnumJsonRoutine(writer, type, names);
                        break;
                }
            }
            var held = model.CodecTypes.Where(static t => t.Kind is CodecTypeKind.Collection or CodecTypeKind.Protobuf).ToList();
            if (held.Count > 0)
            {
                Separate(writer, ref first);
                WriteJsonRoutinesHolder(writer, held, names);
            }
            writer.CloseBlock();
            return writer;
        }

        private static void Separate(SourceWriter writer, ref bool first)
        {
            if (!first)
            {
                writer.WriteLine();
            }
            first = false;
        }

        private static SourceWriter WriteRegistration(SharedModel model, CodecNames names)
        {
            var writer = new SourceWriter();
            WriteHeader(writer);
            writer.WriteLine("// A module initializer is what lets Client.For<T>() and Handle<T>() find generated code without reflection.");
            writer.WriteLine("#pragma warning disable CA2255");
            writer.WriteLine();
            writer.WriteLine($"namespace {GeneratedNamespace}");
            writer.OpenBlock();
            writer.WriteLine("/// <summary>Registers this assembly's MicroGen contracts and codec routines when the module loads.</summary>");
            WriteTypeAttributes(writer);
            writer.WriteLine("internal static class MicroGenModuleInitializer");
            writer.OpenBlock();
            writer.WriteLine("/// <summary>Registers every contract and every codec routine, each made on its first use: start-up compiles nothing per type.</summary>");
            writer.WriteLine($"[{ModuleInitializerAttribute}]");
            writer.WriteLine("internal static void Register()");
            writer.OpenBlock();
            // A large assembly's registrations go in methods of RegistrationsPerMethod each: the JIT
            // compiles one huge method far slower than the same code in parts.
            var entries = model.Contracts.Count + model.CodecTypes.Count;
            if (entries <= RegistrationsPerMethod)
            {
                WriteRegistrations(writer, model, names, 0, model.Contracts.Count, 0, model.CodecTypes.Count);
                writer.CloseBlock();
            }
            else
            {
                var parts = (entries + RegistrationsPerMethod - 1) / RegistrationsPerMethod;
                for (var part = 0; part < parts; part++)
                {
                    writer.WriteLine($"RegisterPart{part}();");
                }
                writer.CloseBlock();
                for (var part = 0; part < parts; part++)
                {
                    var from = part * RegistrationsPerMethod;
                    var to = Math.Min(entries, from + RegistrationsPerMethod);
                    var contracts = model.Contracts.Count;
                    writer.WriteLine();
                    writer.WriteLine($"private static void RegisterPart{part}()");
                    writer.OpenBlock();
                    WriteRegistrations(writer, model, names,
                        Math.Min(from, contracts), Math.Min(to, contracts),
                        Math.Max(from - contracts, 0), Math.Max(to - contracts, 0));
                    writer.CloseBlock();
                }
            }
            writer.CloseBlock();
            writer.CloseBlock();
            return writer;
        }

        /// <summary>How many contracts and codec types one registration method registers at most.</summary>
        private const int RegistrationsPerMethod = 64;

        private static void WriteRegistrations(SourceWriter writer, SharedModel model, CodecNames names, int contractsFrom, int contractsTo, int typesFrom, int typesTo)
        {
            for (var i = contractsFrom; i < contractsTo; i++)
            {
                var contract = model.Contracts[i];
                writer.WriteLine($"{ServiceContractsType}.Register<{contract.InterfaceFullName}>(new {ServiceContractType}<{contract.InterfaceFullName}>(");
                writer.Indent();
                writer.WriteLine($"static () => {contract.DescriptorFullName}.Descriptor,");
                writer.WriteLine($"static (client, options) => new {contract.ClientFullName}(client, options),");
                writer.WriteLine($"static handler => new {contract.DispatcherFullName}(handler)));");
                writer.Unindent();
            }
            if (contractsTo > contractsFrom && typesTo > typesFrom)
            {
                writer.WriteLine();
            }
            for (var i = typesFrom; i < typesTo; i++)
            {
                var type = model.CodecTypes[i];
                var name = names[type.FullName];
                switch (type.Kind)
                {
                    case CodecTypeKind.Object:
                    case CodecTypeKind.ArgumentStruct:
                    case CodecTypeKind.Enum:
                        writer.WriteLine($"{MessagePackCodecType}.Register(typeof({type.FullName}), static () => new {name}MessagePackFormatter());");
                        writer.WriteLine($"{JsonCodecType}.Register(typeof({type.FullName}), static () => {name}JsonRoutine.Instance);");
                        break;
                    case CodecTypeKind.Collection:
                        writer.WriteLine($"{MessagePackCodecType}.Register(typeof({type.FullName}), static () => new {CollectionFormatter(type, names)}());");
                        writer.WriteLine($"{JsonCodecType}.Register(typeof({type.FullName}), static () => {JsonRoutinesHolder}.{name});");
                        break;
                    case CodecTypeKind.Protobuf:
                        writer.WriteLine($"{ProtobufCodecType}.Register(typeof({type.FullName}), static () => {type.FullName}.Parser);");
                        writer.WriteLine($"{MessagePackCodecType}.Register(typeof({type.FullName}), static () => new {ProtobufMessagePackFormatterType}<{type.FullName}>({type.FullName}.Parser));");
                        writer.WriteLine($"{JsonCodecType}.Register(typeof({type.FullName}), static () => {JsonRoutinesHolder}.{name});");
                        break;
                }
            }
        }

        /// <summary>
        /// MessagePack's own formatter for a closed collection, so no dynamic resolver is ever needed;
        /// MicroGen's routine for a nullable of a routine type.
        /// </summary>
        private static string CollectionFormatter(CodecTypeModel type, CodecNames names)
        {
            var element = type.ElementType!.FullName;
            if (names.IsRoutine(type.FullName))
            {
                return $"{NullableRoutineType}<{element}>";
            }
            return type.CollectionKind switch
            {
                CollectionKind.Array => $"{MessagePackFormattersNamespace}.ArrayFormatter<{element}>",
                CollectionKind.List => $"{MessagePackFormattersNamespace}.ListFormatter<{element}>",
                CollectionKind.ReadOnlyList => $"{MessagePackFormattersNamespace}.InterfaceReadOnlyListFormatter<{element}>",
                CollectionKind.Dictionary => $"{MessagePackFormattersNamespace}.DictionaryFormatter<{type.KeyType!.FullName}, {element}>",
                CollectionKind.ReadOnlyDictionary => $"{MessagePackFormattersNamespace}.InterfaceReadOnlyDictionaryFormatter<{type.KeyType!.FullName}, {element}>",
                CollectionKind.Nullable => $"{MessagePackFormattersNamespace}.NullableFormatter<{element}>",
                _ => throw new InvalidOperationException("not a collection: " + type.FullName),
            };
        }

        /// <summary>The type argument of a type's routines: nullable for reference types, since null is carried.</summary>
        private static string RoutineTypeArgument(string fullName, bool isValueType) => isValueType ? fullName : fullName + "?";

        private static string RoutineTypeArgument(CodecTypeModel type) => RoutineTypeArgument(type.FullName, type.IsValueType);

        // ---------------------------------------------------------------- MessagePack

        private static void WriteObjectFormatter(SourceWriter writer, CodecTypeModel type, CodecNames names)
        {
            var typeArgument = RoutineTypeArgument(type);
            var asArray = type.Kind == CodecTypeKind.ArgumentStruct;
            writer.WriteLine(asArray
                ? $"/// <summary>Writes {DocName(type.FullName)} as a MessagePack array of the arguments in parameter order.</summary>"
                : $"/// <summary>Writes {DocName(type.FullName)} as a MessagePack map keyed by member name.</summary>");
            WriteTypeAttributes(writer);
            // A type of primitives, strings and other such types is a routine, which needs no options.
            var routine = names.IsRoutine(type.FullName);
            writer.WriteLine(routine
                ? $"internal sealed class {names[type.FullName]}MessagePackFormatter : {MessagePackRoutineType}<{typeArgument}>"
                : $"internal sealed class {names[type.FullName]}MessagePackFormatter : {MessagePackFormatterInterface}<{typeArgument}>");
            writer.OpenBlock();
            // Serialize
            writer.WriteLine(routine
                ? $"public override void Write(ref {MessagePackWriterType} writer, {typeArgument} value)"
                : $"public void Serialize(ref {MessagePackWriterType} writer, {typeArgument} value, {MessagePackOptionsType} options)");
            writer.OpenBlock();
            if (!type.IsValueType)
            {
                writer.WriteLine("if (value is null)");
                writer.OpenBlock();
                writer.WriteLine("writer.WriteNil();");
                writer.WriteLine("return;");
                writer.CloseBlock();
            }
            writer.WriteLine(asArray ? $"writer.WriteArrayHeader({Int(type.Members.Count)});" : $"writer.WriteMapHeader({Int(type.Members.Count)});");
            foreach (var member in type.Members)
            {
                if (!asArray)
                {
                    writer.WriteLine($"writer.WriteString({Utf8Literal(member.Name)});");
                }
                writer.WriteLine(MessagePackWrite(member.Type, "value." + member.Identifier, routine));
            }
            writer.CloseBlock();
            writer.WriteLine();

            // Deserialize
            writer.WriteLine(routine
                ? $"public override {typeArgument} Read(ref {MessagePackReaderType} reader, int maximumDepth)"
                : $"public {typeArgument} Deserialize(ref {MessagePackReaderType} reader, {MessagePackOptionsType} options)");
            writer.OpenBlock();
            if (!type.IsValueType)
            {
                writer.WriteLine("if (reader.TryReadNil())");
                writer.OpenBlock();
                writer.WriteLine("return null;");
                writer.CloseBlock();
            }
            writer.WriteLine(routine ? "DepthStep(ref reader, maximumDepth);" : "options.Security.DepthStep(ref reader);");
            var readMembers = type.Members.Where(static m => m.ConstructorIndex >= 0 || m.SetInInitializer).ToList();
            foreach (var member in readMembers)
            {
                writer.WriteLine($"{member.Type.DeclaredName} {Local(member)} = {DefaultValue(member.Type)};");
            }
            writer.WriteLine(asArray ? "var count = reader.ReadArrayHeader();" : "var count = reader.ReadMapHeader();");
            writer.WriteLine("for (var i = 0; i < count; i++)");
            writer.OpenBlock();
            if (asArray)
            {
                writer.WriteLine("switch (i)");
                writer.OpenBlock();
                for (var i = 0; i < type.Members.Count; i++)
                {
                    var member = type.Members[i];
                    writer.WriteLine($"case {Int(i)}:");
                    writer.Indent();
                    writer.WriteLine($"{Local(member)} = {MessagePackRead(member.Type, routine)};");
                    writer.WriteLine("break;");
                    writer.Unindent();
                }
                writer.WriteLine("default:");
                writer.Indent();
                writer.WriteLine("reader.Skip();");
                writer.WriteLine("break;");
                writer.Unindent();
                writer.CloseBlock();
            }
            else if (readMembers.Count == 0)
            {
                writer.WriteLine("reader.Skip();");
                writer.WriteLine("reader.Skip();");
            }
            else
            {
                writer.WriteLine($"var key = {CodeGenHelpersType}.ReadStringSpan(ref reader);");
                var keyword = "if";
                foreach (var member in readMembers)
                {
                    writer.WriteLine($"{keyword} ({MemoryExtensionsType}.SequenceEqual(key, {Utf8Literal(member.Name)}))");
                    writer.OpenBlock();
                    writer.WriteLine($"{Local(member)} = {MessagePackRead(member.Type, routine)};");
                    writer.CloseBlock();
                    keyword = "else if";
                }
                writer.WriteLine("else");
                writer.OpenBlock();
                writer.WriteLine("reader.Skip();");
                writer.CloseBlock();
            }
            writer.CloseBlock();
            writer.WriteLine("reader.Depth--;");
            WriteConstruction(writer, type);
            writer.CloseBlock();
            writer.CloseBlock();
        }

        private static void WriteConstruction(SourceWriter writer, CodecTypeModel type)
        {
            var arguments = type.Members.Where(static m => m.ConstructorIndex >= 0).OrderBy(static m => m.ConstructorIndex).Select(Local);
            var initializers = type.Members.Where(static m => m.SetInInitializer).ToList();
            var argumentList = string.Join(", ", arguments);
            if (initializers.Count == 0)
            {
                writer.WriteLine($"return new {type.FullName}({argumentList});");
                return;
            }
            writer.WriteLine(argumentList.Length == 0 ? $"return new {type.FullName}" : $"return new {type.FullName}({argumentList})");
            writer.OpenBlock();
            foreach (var member in initializers)
            {
                writer.WriteLine($"{member.Identifier} = {Local(member)},");
            }
            writer.CloseBlock(";");
        }

        /// <summary>The local holding a member while an object is read: <c>__Name</c>.</summary>
        private static string Local(MemberModel member) => "__" + member.Identifier.TrimStart('@');

        /// <summary>The initial value of a member's local: <c>default!</c> for a non-nullable reference, read or not.</summary>
        private static string DefaultValue(TypeRef type) => type.IsValueType || IsAnnotated(type) ? "default" : "default!";

        /// <summary>Whether a reference type is declared nullable (<c>string?</c>).</summary>
        private static bool IsAnnotated(TypeRef type) => type.DeclaredName.EndsWith("?", StringComparison.Ordinal);

        /// <summary>Whether the declared type differs from the routine's in the nullability of a type argument only (<c>List&lt;string?&gt;</c>).</summary>
        private static bool HasNestedAnnotations(TypeRef type) =>
            !string.Equals(type.DeclaredName.TrimEnd('?'), type.FullName.TrimEnd('?'), StringComparison.Ordinal);

        /// <summary>The MessagePack primitives written and read directly, without a formatter lookup.</summary>
        private static readonly Dictionary<string, string> s_messagePackPrimitives = new(StringComparer.Ordinal)
        {
            ["Boolean"] = "ReadBoolean",
            ["Byte"] = "ReadByte",
            ["SByte"] = "ReadSByte",
            ["Int16"] = "ReadInt16",
            ["UInt16"] = "ReadUInt16",
            ["Int32"] = "ReadInt32",
            ["UInt32"] = "ReadUInt32",
            ["Int64"] = "ReadInt64",
            ["UInt64"] = "ReadUInt64",
            ["Single"] = "ReadSingle",
            ["Double"] = "ReadDouble",
            ["Char"] = "ReadChar",
            ["String"] = "ReadString",
        };

        private static bool IsMessagePackPrimitive(TypeRef type) =>
            type.Builtin is { } builtin && s_messagePackPrimitives.ContainsKey(builtin);

        /// <summary>The built-in leaves, beyond the inline primitives, that MicroGen's runtime has routines for.</summary>
        private static bool IsRoutineLeaf(TypeRef type) =>
            type.Builtin is "Guid" or "DateTime" or "DateTimeOffset" or "TimeSpan" or "Bytes" or "Empty";

        /// <summary>
        /// The statement writing one member: a primitive inline; in a routine, any other member (a
        /// routine type too) through <c>MessagePackMembers</c>; elsewhere through the options' resolver.
        /// </summary>
        private static string MessagePackWrite(TypeRef type, string value, bool inRoutine) =>
            IsMessagePackPrimitive(type) ? $"writer.Write({value});"
            : inRoutine ? $"{MessagePackMembersType}.Write<{type.DeclaredName}>(ref writer, {value});"
            : $"{FormatterResolverExtensionsType}.GetFormatterWithVerify<{type.DeclaredName}>(options.Resolver).Serialize(ref writer, {value}, options);";

        /// <summary>The expression reading one member (see <see cref="MessagePackWrite"/>).</summary>
        private static string MessagePackRead(TypeRef type, bool inRoutine)
        {
            if (type.Builtin is { } builtin && s_messagePackPrimitives.TryGetValue(builtin, out var read))
            {
                return builtin == "String" && !IsAnnotated(type) ? $"reader.{read}()!" : $"reader.{read}()";
            }
            if (inRoutine)
            {
                return $"{MessagePackMembersType}.Read<{type.DeclaredName}>(ref reader, maximumDepth)";
            }
            return $"{FormatterResolverExtensionsType}.GetFormatterWithVerify<{type.DeclaredName}>(options.Resolver).Deserialize(ref reader, options)";
        }

        private static void WriteEnumFormatter(SourceWriter writer, CodecTypeModel type, CodecNames names)
        {
            var suffix = EnumSuffix(type.EnumUnderlyingType);
            writer.WriteLine($"/// <summary>Writes {DocName(type.FullName)} as its underlying integer.</summary>");
            WriteTypeAttributes(writer);
            writer.WriteLine($"internal sealed class {names[type.FullName]}MessagePackFormatter : {MessagePackRoutineType}<{type.FullName}>");
            writer.OpenBlock();
            writer.WriteLine($"public override void Write(ref {MessagePackWriterType} writer, {type.FullName} value)");
            writer.Indent();
            writer.WriteLine($"=> writer.Write(({type.EnumUnderlyingType})value);");
            writer.Unindent();
            writer.WriteLine();
            writer.WriteLine($"public override {type.FullName} Read(ref {MessagePackReaderType} reader, int maximumDepth)");
            writer.Indent();
            writer.WriteLine($"=> ({type.FullName})reader.Read{suffix}();");
            writer.Unindent();
            writer.CloseBlock();
        }

        private static string EnumSuffix(string underlying) => underlying switch
        {
            "byte" => "Byte",
            "sbyte" => "SByte",
            "short" => "Int16",
            "ushort" => "UInt16",
            "uint" => "UInt32",
            "long" => "Int64",
            "ulong" => "UInt64",
            _ => "Int32",
        };

        // ---------------------------------------------------------------- JSON

        /// <summary>The expression for the JSON routine of <paramref name="type"/>.</summary>
        private static string JsonRoutine(TypeRef type, CodecNames names)
        {
            if (type.Builtin is { } builtin)
            {
                return $"{JsonRoutinesType}.{builtin}";
            }
            var name = names[type.FullName];
            return names.IsHeld(type.FullName) ? $"{JsonRoutinesHolder}.{name}" : $"{name}JsonRoutine.Instance";
        }

        private static void WriteObjectJsonRoutine(SourceWriter writer, CodecTypeModel type, CodecNames names)
        {
            var typeArgument = RoutineTypeArgument(type);
            var name = names[type.FullName];
            writer.WriteLine($"/// <summary>Writes {DocName(type.FullName)} as a JSON object with camelCase property names.</summary>");
            WriteTypeAttributes(writer);
            writer.WriteLine($"internal sealed class {name}JsonRoutine : {JsonRoutineType}<{typeArgument}>");
            writer.OpenBlock();
            writer.WriteLine($"public static readonly {name}JsonRoutine Instance = new();");
            writer.WriteLine();

            writer.WriteLine($"public override void Write({Utf8JsonWriterType} writer, {typeArgument} value)");
            writer.OpenBlock();
            if (!type.IsValueType)
            {
                writer.WriteLine("if (value is null)");
                writer.OpenBlock();
                writer.WriteLine("writer.WriteNullValue();");
                writer.WriteLine("return;");
                writer.CloseBlock();
            }
            writer.WriteLine("writer.WriteStartObject();");
            foreach (var member in type.Members)
            {
                writer.WriteLine($"writer.WritePropertyName({Utf8Literal(member.JsonName)});");
                writer.WriteLine($"{JsonRoutine(member.Type, names)}.Write(writer, value.{member.Identifier}{ForgiveWrite(member.Type)});");
            }
            writer.WriteLine("writer.WriteEndObject();");
            writer.CloseBlock();
            writer.WriteLine();

            writer.WriteLine($"public override {typeArgument} Read(ref {Utf8JsonReaderType} reader)");
            writer.OpenBlock();
            if (!type.IsValueType)
            {
                writer.WriteLine($"if (reader.TokenType == {JsonTokenTypeType}.Null)");
                writer.OpenBlock();
                writer.WriteLine("return null;");
                writer.CloseBlock();
            }
            writer.WriteLine($"{JsonRoutinesType}.Expect(ref reader, {JsonTokenTypeType}.StartObject);");
            var readMembers = type.Members.Where(static m => m.ConstructorIndex >= 0 || m.SetInInitializer).ToList();
            foreach (var member in readMembers)
            {
                writer.WriteLine($"{member.Type.DeclaredName} {Local(member)} = {DefaultValue(member.Type)};");
            }
            writer.WriteLine("while (true)");
            writer.OpenBlock();
            writer.WriteLine($"{JsonRoutinesType}.Next(ref reader);");
            writer.WriteLine($"if (reader.TokenType == {JsonTokenTypeType}.EndObject)");
            writer.OpenBlock();
            writer.WriteLine("break;");
            writer.CloseBlock();
            writer.WriteLine(readMembers.Count == 0 ? "_ = reader.GetString();" : "var property = reader.GetString();");
            writer.WriteLine($"{JsonRoutinesType}.Next(ref reader);");
            var keyword = "if";
            foreach (var member in readMembers)
            {
                writer.WriteLine($"{keyword} (string.Equals(property, {Literal(member.JsonName)}, {StringComparisonType}.OrdinalIgnoreCase))");
                writer.OpenBlock();
                writer.WriteLine($"{Local(member)} = {JsonRoutine(member.Type, names)}.Read(ref reader){ForgiveRead(member.Type)};");
                writer.CloseBlock();
                keyword = "else if";
            }
            if (readMembers.Count == 0)
            {
                writer.WriteLine("reader.Skip();");
            }
            else
            {
                writer.WriteLine("else");
                writer.OpenBlock();
                writer.WriteLine("reader.Skip();");
                writer.CloseBlock();
            }
            writer.CloseBlock();
            WriteConstruction(writer, type);
            writer.CloseBlock();
            writer.CloseBlock();
        }

        /// <summary>
        /// <c>!</c> after a routine passed to a combinator: routines of reference types carry null
        /// (<c>JsonRoutine&lt;T?&gt;</c>) while the combinator is typed on <c>T</c>.
        /// </summary>
        private static string Forgive(TypeRef type) => type.IsValueType && !HasNestedAnnotations(type) ? string.Empty : "!";

        /// <summary><c>!</c> after a member written by a routine whose type argument differs in nested nullability only.</summary>
        private static string ForgiveWrite(TypeRef type) => HasNestedAnnotations(type) ? "!" : string.Empty;

        /// <summary><c>!</c> after a routine's result stored in a non-nullable reference (routines carry null).</summary>
        private static string ForgiveRead(TypeRef type) => HasNestedAnnotations(type) || (!type.IsValueType && !IsAnnotated(type)) ? "!" : string.Empty;

        private static void WriteEnumJsonRoutine(SourceWriter writer, CodecTypeModel type, CodecNames names)
        {
            var name = names[type.FullName];
            var suffix = EnumSuffix(type.EnumUnderlyingType);
            writer.WriteLine($"/// <summary>Writes {DocName(type.FullName)} as its member name (a number when undefined); reads a name, in any case, or a number.</summary>");
            WriteTypeAttributes(writer);
            writer.WriteLine($"internal sealed class {name}JsonRoutine : {JsonKeyRoutineType}<{type.FullName}>");
            writer.OpenBlock();
            writer.WriteLine($"public static readonly {name}JsonRoutine Instance = new();");
            writer.WriteLine();

            writer.WriteLine($"public override void Write({Utf8JsonWriterType} writer, {type.FullName} value)");
            writer.OpenBlock();
            writer.WriteLine("switch (value)");
            writer.OpenBlock();
            foreach (var member in type.EnumMembers)
            {
                writer.WriteLine($"case {type.FullName}.{member.Identifier}:");
                writer.Indent();
                writer.WriteLine($"writer.WriteStringValue({Utf8Literal(member.Name)});");
                writer.WriteLine("break;");
                writer.Unindent();
            }
            writer.WriteLine("default:");
            writer.Indent();
            writer.WriteLine($"writer.WriteNumberValue(({type.EnumUnderlyingType})value);");
            writer.WriteLine("break;");
            writer.Unindent();
            writer.CloseBlock();
            writer.CloseBlock();
            writer.WriteLine();

            writer.WriteLine($"public override {type.FullName} Read(ref {Utf8JsonReaderType} reader)");
            writer.Indent();
            writer.WriteLine($"=> reader.TokenType == {JsonTokenTypeType}.Number ? ({type.FullName})reader.Get{suffix}() : FromPropertyName(reader.GetString()!);");
            writer.Unindent();
            writer.WriteLine();

            writer.WriteLine($"public override string ToPropertyName({type.FullName} key)");
            writer.OpenBlock();
            writer.WriteLine("switch (key)");
            writer.OpenBlock();
            foreach (var member in type.EnumMembers)
            {
                writer.WriteLine($"case {type.FullName}.{member.Identifier}:");
                writer.Indent();
                writer.WriteLine($"return {Literal(member.Name)};");
                writer.Unindent();
            }
            writer.WriteLine("default:");
            writer.Indent();
            writer.WriteLine($"return (({type.EnumUnderlyingType})key).ToString({CultureInfoType}.InvariantCulture);");
            writer.Unindent();
            writer.CloseBlock();
            writer.CloseBlock();
            writer.WriteLine();

            writer.WriteLine($"public override {type.FullName} FromPropertyName(string name)");
            writer.OpenBlock();
            foreach (var member in type.EnumMembers)
            {
                writer.WriteLine($"if (string.Equals(name, {Literal(member.Name)}, {StringComparisonType}.OrdinalIgnoreCase))");
                writer.OpenBlock();
                writer.WriteLine($"return {type.FullName}.{member.Identifier};");
                writer.CloseBlock();
            }
            writer.WriteLine($"return ({type.FullName}){type.EnumUnderlyingType}.Parse(name, {NumberStylesType}.Integer, {CultureInfoType}.InvariantCulture);");
            writer.CloseBlock();
            writer.CloseBlock();
        }

        private static void WriteJsonRoutinesHolder(SourceWriter writer, List<CodecTypeModel> held, CodecNames names)
        {
            writer.WriteLine("/// <summary>The JSON routines of closed collections and protobuf messages, each built on first use.</summary>");
            WriteTypeAttributes(writer);
            writer.WriteLine($"internal static class {JsonRoutinesHolder}");
            writer.OpenBlock();
            var first = true;
            foreach (var type in held)
            {
                Separate(writer, ref first);
                var name = names[type.FullName];
                var routineType = $"{JsonRoutineType}<{RoutineTypeArgument(type)}>";
                // Built lazily: a routine may name another held routine, and static initializers run in text order.
                writer.WriteLine($"private static {routineType}? s_{name};");
                writer.WriteLine();
                writer.WriteLine($"/// <summary>The routine of {DocName(type.FullName)}.</summary>");
                writer.WriteLine($"public static {routineType} {name} => s_{name} ??= {HeldRoutineConstruction(type, names)};");
            }
            writer.CloseBlock();
        }

        private static string HeldRoutineConstruction(CodecTypeModel type, CodecNames names)
        {
            if (type.Kind == CodecTypeKind.Protobuf)
            {
                return $"new {ProtobufJsonRoutineType}<{type.FullName}>({type.FullName}.Parser)";
            }
            var element = type.ElementType!;
            var item = $"{JsonRoutine(element, names)}{Forgive(element)}";
            return type.CollectionKind switch
            {
                CollectionKind.Array => $"{JsonRoutinesType}.Array<{element.FullName}>({item})",
                CollectionKind.List => $"{JsonRoutinesType}.List<{element.FullName}>({item})",
                CollectionKind.ReadOnlyList => $"{JsonRoutinesType}.ReadOnlyList<{element.FullName}>({item})",
                CollectionKind.Dictionary => $"{JsonRoutinesType}.Dictionary<{type.KeyType!.FullName}, {element.FullName}>({JsonRoutine(type.KeyType, names)}{Forgive(type.KeyType)}, {item})",
                CollectionKind.ReadOnlyDictionary => $"{JsonRoutinesType}.ReadOnlyDictionary<{type.KeyType!.FullName}, {element.FullName}>({JsonRoutine(type.KeyType, names)}{Forgive(type.KeyType)}, {item})",
                CollectionKind.Nullable => $"{JsonRoutinesType}.Nullable<{element.FullName}>({item})",
                _ => throw new InvalidOperationException("not a collection: " + type.FullName),
            };
        }

        /// <summary>
        /// Readable, unique identifiers for the codec types of one shared file: the type name with
        /// <c>global::</c> dropped and punctuation turned into <c>_</c> (<c>Demo_Page_Demo_Item</c>),
        /// with a number appended in the rare case two names collide.
        /// </summary>
        private sealed class CodecNames
        {
            private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);
            private readonly HashSet<string> _held = new(StringComparer.Ordinal);
            private readonly HashSet<string> _routines;

            public CodecNames(EquatableArray<CodecTypeModel> types)
            {
                _routines = FindRoutines(types);
                var used = new HashSet<string>(StringComparer.Ordinal);
                foreach (var type in types)
                {
                    var baseName = Mangle(type.FullName);
                    var name = baseName;
                    for (var i = 2; !used.Add(name); i++)
                    {
                        name = baseName + "_" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    }
                    _names[type.FullName] = name;
                    if (type.Kind is CodecTypeKind.Collection or CodecTypeKind.Protobuf)
                    {
                        _held.Add(type.FullName);
                    }
                }
            }

            public string this[string fullName] => _names[fullName];

            public bool IsHeld(string fullName) => _held.Contains(fullName);

            /// <summary>Whether the type's MessagePack formatter is a routine (needs no options): see <see cref="FindRoutines"/>.</summary>
            public bool IsRoutine(string fullName) => _routines.Contains(fullName);

            /// <summary>
            /// Every enum; every object or argument struct whose members are all primitives, strings,
            /// the leaves MicroGen has routines for (<c>Guid</c>, dates, <c>TimeSpan</c>, <c>byte[]</c>)
            /// or such types themselves (recursive types included); and every nullable of one of
            /// these. The greatest such set, found by striking out, until none is left to strike,
            /// each type that holds any other type (a collection, a decimal, a protobuf message…).
            /// </summary>
            private static HashSet<string> FindRoutines(EquatableArray<CodecTypeModel> types)
            {
                var candidates = types.Where(static t => t.Kind is CodecTypeKind.Object or CodecTypeKind.ArgumentStruct or CodecTypeKind.Enum
                    || t is { Kind: CodecTypeKind.Collection, CollectionKind: CollectionKind.Nullable }).ToList();
                var routines = new HashSet<string>(candidates.Select(static t => t.FullName), StringComparer.Ordinal);
                bool IsRoutineMember(TypeRef type) => IsMessagePackPrimitive(type) || IsRoutineLeaf(type) || routines.Contains(type.FullName);
                bool struck;
                do
                {
                    struck = false;
                    foreach (var type in candidates)
                    {
                        var holdsOthers = type.Kind switch
                        {
                            CodecTypeKind.Enum => false,
                            CodecTypeKind.Collection => !IsRoutineMember(type.ElementType!),
                            _ => !type.Members.All(m => IsRoutineMember(m.Type)),
                        };
                        if (holdsOthers && routines.Remove(type.FullName))
                        {
                            struck = true;
                        }
                    }
                }
                while (struck);
                return routines;
            }

            private static string Mangle(string fullName)
            {
                var text = fullName.Replace("global::", string.Empty)
                    .Replace("System.Collections.Generic.", string.Empty)
                    .Replace("[]", "_Array")
                    .Replace("?", "_Nullable");
                var builder = new StringBuilder(text.Length);
                foreach (var c in text)
                {
                    if (char.IsLetterOrDigit(c) || c == '_')
                    {
                        builder.Append(c);
                    }
                    else if (builder.Length > 0 && builder[builder.Length - 1] != '_')
                    {
                        builder.Append('_');
                    }
                }
                return builder.ToString().Trim('_');
            }
        }
    }
}

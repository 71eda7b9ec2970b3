using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using MicroGen.Generator.Helpers;
using MicroGen.Generator.Model;

namespace MicroGen.Generator;

public sealed partial class MicroServiceGenerator
{
    /// <summary>
    /// Turns models into C# source. It sees no symbols: every name comes from the model, and every
    /// framework type is one of the <c>global::</c>-qualified constants below.
    /// </summary>
    internal static partial class Emitter
    {
        /// <summary>The hint name of the shared file holding every codec routine.</summary>
        public const string CodecsHintName = "MicroGen.Codecs.g.cs";

        /// <summary>The hint name of the shared file holding the module initializer.</summary>
        public const string RegistrationHintName = "MicroGen.Registration.g.cs";

        /// <summary>The namespace of the shared generated types.</summary>
        public const string GeneratedNamespace = "MicroGen.Generated";

        private const string GeneratorName = "MicroGen.Generator";
        private const string ArgumentNullExceptionType = "global::System.ArgumentNullException";
        private const string CancellationTokenType = "global::System.Threading.CancellationToken";
        private const string ValueTaskType = "global::System.Threading.Tasks.ValueTask";
        private const string AsyncEnumerableExtensionsType = "global::System.Threading.Tasks.TaskAsyncEnumerableExtensions";
        private const string StringComparisonType = "global::System.StringComparison";
        private const string MemoryExtensionsType = "global::System.MemoryExtensions";
        private const string CultureInfoType = "global::System.Globalization.CultureInfo";
        private const string NumberStylesType = "global::System.Globalization.NumberStyles";
        private const string ModuleInitializerAttribute = "global::System.Runtime.CompilerServices.ModuleInitializer";
        private const string IClientType = "global::MicroGen.Client.IClient";
        private const string CallOptionsType = "global::MicroGen.Client.CallOptions";
        private const string MethodType = "global::MicroGen.Client.Method";
        private const string MethodTypeEnum = "global::MicroGen.Client.MethodType";
        private const string MethodDescriptorType = "global::MicroGen.Client.MethodDescriptor";
        private const string ServiceDescriptorType = "global::MicroGen.Server.ServiceDescriptor";
        private const string ServiceDispatcherInterface = "global::MicroGen.Server.IServiceDispatcher";
        private const string ServerCallType = "global::MicroGen.Server.ServerCall";
        private const string ServiceContractsType = "global::MicroGen.ServiceContracts";
        private const string ServiceContractType = "global::MicroGen.ServiceContract";
        private const string EmptyType = "global::MicroGen.Codec.Empty";
        private const string MessagePackCodecType = "global::MicroGen.Codec.MessagePackCodec";
        private const string JsonCodecType = "global::MicroGen.Codec.JsonCodec";
        private const string ProtobufCodecType = "global::MicroGen.Codec.ProtobufCodec";
        private const string JsonRoutineType = "global::MicroGen.Codec.JsonRoutine";
        private const string JsonKeyRoutineType = "global::MicroGen.Codec.JsonKeyRoutine";
        private const string JsonRoutinesType = "global::MicroGen.Codec.JsonRoutines";
        private const string ProtobufMessagePackFormatterType = "global::MicroGen.Codec.ProtobufMessagePackFormatter";
        private const string ProtobufJsonRoutineType = "global::MicroGen.Codec.ProtobufJsonRoutine";
        private const string Utf8JsonWriterType = "global::System.Text.Json.Utf8JsonWriter";
        private const string Utf8JsonReaderType = "global::System.Text.Json.Utf8JsonReader";
        private const string JsonTokenTypeType = "global::System.Text.Json.JsonTokenType";
        private const string MessagePackFormatterInterface = "global::MessagePack.Formatters.IMessagePackFormatter";
        private const string MessagePackRoutineType = "global::MicroGen.Codec.MessagePackRoutine";
        private const string MessagePackMembersType = "global::MicroGen.Codec.MessagePackMembers";
        private const string NullableRoutineType = "global::MicroGen.Codec.NullableRoutine";
        private const string MessagePackFormattersNamespace = "global::MessagePack.Formatters";
        private const string MessagePackWriterType = "global::MessagePack.MessagePackWriter";
        private const string MessagePackReaderType = "global::MessagePack.MessagePackReader";
        private const string MessagePackOptionsType = "global::MessagePack.MessagePackSerializerOptions";
        private const string FormatterResolverExtensionsType = "global::MessagePack.FormatterResolverExtensions";
        private const string CodeGenHelpersType = "global::MessagePack.Internal.CodeGenHelpers";

        private static readonly string s_generatedCodeAttribute =
            $"[global::System.CodeDom.Compiler.GeneratedCode(\"{GeneratorName}\", \"{typeof(MicroServiceGenerator).Assembly.GetName().Version}\")]";

        private const string ExcludeFromCodeCoverageAttribute = "[global::System.Diagnostics.CodeAnalysis.ExcludeFromCodeCoverage]";

        private static void WriteHeader(SourceWriter writer)
        {
            writer.WriteLine("// <auto-generated/>");
            writer.WriteLine("#nullable enable");
            writer.WriteLine();
        }

        private static void WriteTypeAttributes(SourceWriter writer)
        {
            writer.WriteLine(s_generatedCodeAttribute);
            writer.WriteLine(ExcludeFromCodeCoverageAttribute);
        }

        /// <summary>A C# string literal for <paramref name="value"/>.</summary>
        private static string Literal(string value) => SymbolDisplay.FormatLiteral(value, quote: true);

        /// <summary>A C# UTF-8 string literal for <paramref name="value"/>.</summary>
        private static string Utf8Literal(string value) => Literal(value) + "u8";

        /// <summary>A type name for an XML doc comment: <c>&lt;c&gt;Demo.Page&amp;lt;Demo.Item&amp;gt;&lt;/c&gt;</c> (a cref cannot name a closed generic).</summary>
        private static string DocName(string fullName) =>
            "<c>" + fullName.Replace("global::", string.Empty).Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;") + "</c>";

        private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);
    }
}

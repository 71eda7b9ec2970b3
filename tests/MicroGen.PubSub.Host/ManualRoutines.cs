using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Text.Json;
using MessagePack;
using MessagePack.Formatters;
using MicroGen.Codec;

namespace MicroGen.PubSub.Host;

// TEMPORARY: hand-written routines for UserCreated until the source generator (which generates them
// for [MicroEvent] types) is merged into main; deleted then.
internal static class ManualRoutines
{
    [ModuleInitializer]
    internal static void Register()
    {
        MessagePackCodec.Register<UserCreated>(new Formatter());
        JsonCodec.Register<UserCreated>(new Json());
    }

    private sealed class Formatter : IMessagePackFormatter<UserCreated>
    {
        public void Serialize(ref MessagePackWriter writer, UserCreated value, MessagePackSerializerOptions options)
        {
            writer.WriteArrayHeader(4);
            writer.Write(value.Id);
            writer.Write(value.Name);
            writer.Write(value.Email);
            writer.WriteArrayHeader(value.Roles.Length);
            foreach (var role in value.Roles)
            {
                writer.Write(role);
            }
        }

        public UserCreated Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
        {
            reader.ReadArrayHeader();
            var id = reader.ReadInt64();
            var name = reader.ReadString()!;
            var email = reader.ReadString();
            var roles = new string[reader.ReadArrayHeader()];
            for (var i = 0; i < roles.Length; i++)
            {
                roles[i] = reader.ReadString()!;
            }
            return new UserCreated(id, name, email, roles);
        }
    }

    private sealed class Json : JsonRoutine<UserCreated>
    {
        public override void Write(Utf8JsonWriter writer, UserCreated value)
        {
            writer.WriteStartObject();
            writer.WriteNumber("id", value.Id);
            writer.WriteString("name", value.Name);
            writer.WriteString("email", value.Email);
            writer.WriteStartArray("roles");
            foreach (var role in value.Roles)
            {
                writer.WriteStringValue(role);
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        public override UserCreated Read(ref Utf8JsonReader reader)
        {
            long id = 0;
            string name = string.Empty;
            string? email = null;
            var roles = new List<string>();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var property = reader.GetString();
                reader.Read();
                switch (property)
                {
                    case "id": id = reader.GetInt64(); break;
                    case "name": name = reader.GetString()!; break;
                    case "email": email = reader.GetString(); break;
                    case "roles":
                        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                        {
                            roles.Add(reader.GetString()!);
                        }
                        break;
                    default: reader.Skip(); break;
                }
            }
            return new UserCreated(id, name, email, roles.ToArray());
        }
    }
}

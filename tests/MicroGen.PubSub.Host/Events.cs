using MicroGen;

namespace MicroGen.PubSub.Host;

/// <summary>A user record event: its codec routines are generated because of [MicroEvent].</summary>
[MicroEvent]
public sealed record UserCreated(long Id, string Name, string? Email, string[] Roles);

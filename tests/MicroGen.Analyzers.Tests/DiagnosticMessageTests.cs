using System.Threading.Tasks;
using MicroGen.Analyzers.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using NUnit.Framework;

namespace MicroGen.Analyzers.Tests;

/// <summary>Messages name the offending symbol and say what to change.</summary>
public sealed class DiagnosticMessageTests
{
    [Test]
    public Task PayloadMessage_NestedDelegate_NamesTheMemberPathAndWhy() =>
        AllAnalyzersTest.VerifyAsync(Contracts.Usings + """
            public sealed class Step { public Func<Task>? Callback { get; set; } }
            public sealed class Job { public string Name { get; set; } = ""; public List<Step> Steps { get; set; } = new(); }

            [MicroService("jobs")]
            public interface IJobs
            {
                Task Run({|#0:Job|} job, CancellationToken cancellationToken = default);
            }
            """,
            new DiagnosticResult("MG0007", DiagnosticSeverity.Error).WithLocation(0).WithArguments(
                "Parameter 'job' of method 'IJobs.Run'", "Job",
                "through 'Job.Steps → Step.Callback', 'Func<Task>?' is a delegate, and code cannot be serialized",
                "Send data, and let the receiver decide what to run"));

    [Test]
    public Task EndpointMessage_Overload_NamesBothMethodsAndTheFreeName() =>
        AllAnalyzersTest.VerifyAsync(Contracts.Usings + """
            [MicroService("calc")]
            public interface ICalc
            {
                Task<int> Add(int a, int b, CancellationToken cancellationToken = default);
                Task<int> Add2(CancellationToken cancellationToken = default);
                Task<long> {|#0:Add|}(long a, long b, CancellationToken cancellationToken = default);
            }
            """,
            new DiagnosticResult("MG0003", DiagnosticSeverity.Error).WithLocation(0).WithArguments("ICalc.Add", "Calc.Add", "ICalc.Add", "Add3"));

    [Test]
    public Task LossyMessage_GetOnlyProperty_SaysHowToKeepIt() =>
        AllAnalyzersTest.VerifyAsync(Contracts.Usings + """
            public sealed class Account { public string Name { get; set; } = ""; public DateTime {|#0:Created|} { get; } }

            [MicroService("accounts")]
            public interface IAccounts
            {
                Task<Account> Get(string name, CancellationToken cancellationToken = default);
            }
            """,
            new DiagnosticResult("MG0021", DiagnosticSeverity.Warning).WithLocation(0).WithArguments(
                "Account.Created", "has no setter and no matching constructor parameter", "Add an 'init' accessor, or a constructor parameter named 'created'"));

    [Test]
    public Task ServiceNameMessage_InvalidName_SuggestsAValidOne() =>
        AllAnalyzersTest.VerifyAsync(Contracts.Usings + """
            [MicroService({|#0:"user service!"|})]
            public interface IUsers
            {
                Task Ping(CancellationToken cancellationToken = default);
            }
            """,
            new DiagnosticResult("MG0011", DiagnosticSeverity.Error).WithLocation(0).WithArguments("user service!", "IUsers", "user-service"));

    [Test]
    public Task HandlerMessage_WrongEventType_SaysWhichParameter() =>
        AllAnalyzersTest.VerifyAsync(Contracts.Usings + """
            [MicroEvent] public sealed record UserCreated(long Id);
            [MicroEvent] public sealed record UserDeleted(long Id);

            public static class Subscriber
            {
                public static void Subscribe(MicroGen.Service.IService service) =>
                    service.Subscribe<UserCreated>("user.created", {|#0:OnDeleted|});

                private static Task OnDeleted(UserDeleted e, CancellationToken ct) => Task.CompletedTask;
            }
            """ + Contracts.PubSubApi,
            new DiagnosticResult("MG0020", DiagnosticSeverity.Error).WithLocation(0).WithArguments(
                "OnDeleted", "UserCreated", "its first parameter is 'UserDeleted', not 'UserCreated'"));

    [Test]
    public Task PubSub_ApiMissingFromCompilation_ReportsNothing() =>
        // Without PublishAsync/Subscribe on IClient/IService (as before the pub/sub API lands), the
        // same-named methods of unrelated types are not MicroGen's API.
        AllAnalyzersTest.VerifyAsync(Contracts.Usings + """
            public sealed class Bus
            {
                public Task PublishAsync<T>(string topic, T message) => Task.CompletedTask;
            }

            public static class Publisher
            {
                public static Task Publish(Bus bus) => bus.PublishAsync("not a topic", new object());
            }
            """);
}

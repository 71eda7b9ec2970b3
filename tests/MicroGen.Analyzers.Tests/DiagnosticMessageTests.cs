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
    public Task SubscribedEventMessage_PublishedInAnotherFile_NamesBothTypesWhereAndWhy()
    {
        var test = new AllAnalyzersTest
        {
            TestState =
            {
                Sources =
                {
                    Contracts.Usings + """
                        [MicroEvent] public sealed record UserCreated(long Id, string Name);

                        public static class Subscriber
                        {
                            public static void Subscribe(IService service) =>
                                service.Subscribe<{|#0:UserCreated|}>(Topics.Users, (e, ct) => Task.CompletedTask);
                        }
                        """,
                    Contracts.Usings + """
                        public static class Topics { public const string Users = "users"; }

                        [MicroEvent] public sealed record UserRenamed(long Id, string NewName);

                        public static class Publisher
                        {
                            public static async Task Rename(IClient client) =>
                                await client.PublishAsync(Topics.Users, new UserRenamed(1, "Ada"));
                        }
                        """,
                },
            },
        };
        TestReferences.Configure(test);
        test.ExpectedDiagnostics.Add(new DiagnosticResult("MG0020", DiagnosticSeverity.Warning).WithLocation(0).WithArguments(
            "users", "UserCreated", "UserRenamed", "Test1.cs(17,49)",
            "'UserRenamed' has no member 'Name', so 'UserCreated.Name' is always left at its default"));
        return test.RunAsync();
    }

    [Test]
    public Task SubscribedEventMessage_NestedMemberOfAnotherType_NamesTheMemberPath() =>
        AllAnalyzersTest.VerifyAsync(Contracts.Usings + """
            public sealed record Money(decimal Amount, string Currency);
            public sealed record Cents(long Amount, string Currency);
            [MicroEvent] public sealed record Paid(Guid Id, Money Total);
            [MicroEvent] public sealed record PaidInCents(Guid Id, Cents Total);

            public static class Payments
            {
                public static async Task Publish(IClient client) =>
                    await client.PublishAsync("payments.paid", new PaidInCents(Guid.Empty, new Cents(100, "EUR")));

                public static void Subscribe(IService service) =>
                    service.Subscribe<{|#0:Paid|}>("payments.paid", (e, ct) => Task.CompletedTask);
            }
            """,
            new DiagnosticResult("MG0020", DiagnosticSeverity.Warning).WithLocation(0).WithArguments(
                "payments.paid", "Paid", "PaidInCents", "Test0.cs(18,52)",
                "member 'Total.Amount' is written as 'long' but read as 'decimal', so decoding fails"));

    [Test]
    public Task SubscribedEventMessage_ProtobufAgainstMicroEvent_SaysTheEncodingsDiffer() =>
        AllAnalyzersTest.VerifyAsync(Contracts.Usings + """
            [MicroEvent] public sealed record Ping(int Sequence);

            public static class Pinger
            {
                public static async Task Publish(IClient client) => await client.PublishAsync("ping", new Ping(1));

                public static void Subscribe(IService service) =>
                    service.Subscribe<{|#0:PingRequest|}>("ping", (e, ct) => Task.CompletedTask);
            }
            """ + Contracts.ProtobufMessages,
            new DiagnosticResult("MG0020", DiagnosticSeverity.Warning).WithLocation(0).WithArguments(
                "ping", "PingRequest", "Ping", "Test0.cs(14,91)",
                "'PingRequest' is a protobuf message and 'Ping' is not, so events arrive in a content type the subscriber cannot read"));

    [Test]
    public Task PubSub_ApiMissingFromCompilation_ReportsNothing() =>
        // A same-named method of an unrelated type is not MicroGen's API: neither its topic nor its
        // event type is checked.
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

using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;

namespace MicroGen.Broker.Internal;

/// <summary>
/// A subscription's handler in this process, shared by the in-memory and embedded brokers: limits
/// concurrency, redelivers rejected messages with back-off, maps failures to the error reported to
/// the publisher, and drains in-flight handlers when unsubscribed.
/// </summary>
internal sealed class LocalSubscription
{
    private static readonly TimeSpan MaxRedeliveryDelay = TimeSpan.FromSeconds(5);

    private readonly BrokerHandler _handler;
    private readonly SemaphoreSlim _slots;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private TaskCompletionSource? _drained;
    private int _inFlight;
    private volatile bool _active = true;

    public LocalSubscription(string id, string topic, BrokerHandler handler, SubscribeOptions options, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxConcurrency, 1, nameof(options.MaxConcurrency));
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxRedeliveries, nameof(options.MaxRedeliveries));
        Id = id;
        Topic = topic;
        Options = options;
        _handler = handler;
        _logger = logger;
        _slots = new SemaphoreSlim(options.MaxConcurrency, options.MaxConcurrency);
    }

    public string Id { get; }

    public string Topic { get; }

    public string? Queue => Options.Queue;

    public SubscribeOptions Options { get; }

    /// <summary>Whether it still takes messages; false once unsubscribing began.</summary>
    public bool IsActive => _active;

    /// <summary>
    /// Runs the handler on <paramref name="message"/>, redelivering a rejection as the options say.
    /// Returns null when acknowledged, the error to report otherwise, or <see cref="Gone"/> when the
    /// subscription stopped before the message got to the handler.
    /// </summary>
    public async ValueTask<MicroError?> DeliverAsync(BrokerMessage message, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_active)
            {
                return Gone;
            }
            _inFlight++;
        }
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
            await _slots.WaitAsync(linked.Token).ConfigureAwait(false);
            try
            {
                var delay = Options.RedeliveryDelay;
                for (var delivery = 0; ; delivery++)
                {
                    try
                    {
                        await _handler(message.ForSubscriber(Queue, message.Redelivered + delivery), linked.Token).ConfigureAwait(false);
                        return null;
                    }
                    catch (OperationCanceledException) when (linked.IsCancellationRequested)
                    {
                        if (cancellationToken.IsCancellationRequested)
                        {
                            throw;
                        }
                        return MicroError.Create(BrokerIds.Broker, MicroStatusCode.ServiceUnavailable,
                            $"subscription {Id} was cancelled by unsubscribing while handling the message");
                    }
                    catch (Exception e)
                    {
                        BrokerLog.HandlerFailed(_logger, Id, Topic, message.Id, delivery + 1, Options.MaxRedeliveries + 1, e);
                        if (delivery >= Options.MaxRedeliveries)
                        {
                            return ToError(e);
                        }
                    }
                    await Task.Delay(delay, linked.Token).ConfigureAwait(false);
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRedeliveryDelay.Ticks));
                }
            }
            finally
            {
                _slots.Release();
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && _stopping.IsCancellationRequested)
        {
            return Gone;
        }
        finally
        {
            lock (_gate)
            {
                if (--_inFlight == 0 && !_active)
                {
                    _drained?.TrySetResult();
                }
            }
        }
    }

    /// <summary>
    /// Stops taking messages and waits up to <paramref name="drainTimeout"/> for in-flight handlers,
    /// then cancels them. Idempotent.
    /// </summary>
    public async ValueTask StopAsync(TimeSpan drainTimeout)
    {
        Task drained;
        lock (_gate)
        {
            if (_drained is not null)
            {
                drained = _drained.Task;
            }
            else
            {
                _active = false;
                _drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                if (_inFlight == 0)
                {
                    _drained.TrySetResult();
                }
                drained = _drained.Task;
            }
        }
        try
        {
            await drained.WaitAsync(drainTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            BrokerLog.DrainTimedOut(_logger, Id, Topic, Volatile.Read(ref _inFlight));
            _stopping.Cancel();
        }
    }

    /// <summary>The marker error meaning "this subscription is not here any more"; publishers treat it as unsubscribed.</summary>
    public static readonly MicroError Gone = MicroError.Create(BrokerIds.Broker, MicroStatusCode.NotFound, "the subscription is not active here");

    public static bool IsGone(MicroError error) => error.Id == BrokerIds.Broker && error.Code == MicroStatusCode.NotFound;

    private MicroError ToError(Exception e) => e switch
    {
        // A handler's MicroException reaches the publisher as it is, like a call's.
        MicroException micro when !IsGone(micro.Error) => micro.Error,
        // Never the exception's text: it can leak internals. The subscriber's log has it, under the message id.
        _ => MicroError.Create(BrokerIds.Broker, MicroStatusCode.InternalServerError,
            $"the handler of subscription {Id} on '{Topic}' failed ({e.GetType().Name}); see the subscriber's log"),
    };
}

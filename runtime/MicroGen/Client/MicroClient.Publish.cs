using System;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Broker;
using MicroGen.Broker.Internal;
using MicroGen.Codec;
using MicroGen.Internal;

namespace MicroGen.Client;

public sealed partial class MicroClient
{
    /// <inheritdoc/>
    public async ValueTask<PublishResult> PublishAsync<TEvent>(string topic, TEvent message, PublishOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var broker = Options.Broker
            ?? throw new InvalidOperationException("No broker is configured: set ClientOptions.Broker (a service sets it to its broker).");
        options ??= PublishOptions.Default;

        var contentType = options.ContentType ?? Options.ContentType ?? TypedEvents<TEvent>.DefaultContentType;
        if (!_codecs.TryGetValue(contentType, out var codec))
        {
            throw new MicroException(ClientId, MicroStatusCode.UnsupportedMediaType, $"no codec for content type '{contentType}' is configured on the client");
        }
        using var body = new PooledBufferWriter();
        codec.Serialize(body, message);

        var envelope = new BrokerMessage
        {
            Id = options.MessageId ?? BrokerMessage.NewId(),
            Topic = topic,
            ContentType = codec.ContentType,
            Body = body.WrittenMemory,
            Publisher = Options.Name,
            Timestamp = DateTimeOffset.UtcNow,
            Headers = MergeMetadata(MicroContext.Current, options.Metadata),
        };
        await broker.ConnectAsync(cancellationToken).ConfigureAwait(false);
        // The body stays valid until the broker is done with it: every broker completes only after sending it.
        return await broker.PublishAsync(envelope, options, cancellationToken).ConfigureAwait(false);
    }
}

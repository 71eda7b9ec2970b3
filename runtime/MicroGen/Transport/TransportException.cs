using System;

namespace MicroGen.Transport;

/// <summary>A call failed in the transport rather than in a handler.</summary>
public sealed class TransportException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="notProcessed">
    /// True when the request provably never reached a handler (the address refused the connection,
    /// the peer refused the call while draining): such a call is always safe to retry.
    /// </param>
    /// <param name="innerException">The cause.</param>
    public TransportException(string message, bool notProcessed, Exception? innerException = null)
        : base(message, innerException) => NotProcessed = notProcessed;

    /// <summary>True when the request provably never reached a handler, so a retry cannot run it twice.</summary>
    public bool NotProcessed { get; }
}

using System;
using System.Diagnostics.CodeAnalysis;

namespace MicroGen;

/// <summary>
/// The exception a call fails with, carrying go-micro's <see cref="MicroError"/>. A handler that
/// throws one has it arrive at the caller as the same id, code and detail; any other exception
/// arrives as code 500 with a generic detail.
/// </summary>
public class MicroException : Exception
{
    /// <summary>Creates an exception for <paramref name="error"/>.</summary>
    public MicroException(MicroError error)
        : base(FormatMessage(error)) => Error = error ?? throw new ArgumentNullException(nameof(error));

    /// <summary>Creates an exception for <paramref name="error"/> caused by <paramref name="innerException"/>.</summary>
    public MicroException(MicroError error, Exception? innerException)
        : base(FormatMessage(error), innerException) => Error = error ?? throw new ArgumentNullException(nameof(error));

    /// <summary>Creates an exception from its parts; <c>Status</c> is the reason phrase of <paramref name="code"/>.</summary>
    public MicroException(string id, int code, string detail)
        : this(MicroError.Create(id, code, detail))
    {
    }

    /// <summary>The error that crosses the wire.</summary>
    public MicroError Error { get; }

    /// <summary>Who produced the error.</summary>
    public string Id => Error.Id;

    /// <summary>The status code; see <see cref="MicroStatusCode"/>.</summary>
    public int Code => Error.Code;

    /// <summary>The human-readable explanation.</summary>
    public string Detail => Error.Detail;

    /// <summary>The reason phrase of <see cref="Code"/>.</summary>
    public string Status => Error.Status;

    /// <summary>400 Bad Request.</summary>
    public static MicroException BadRequest(string id, string detail) => new(id, MicroStatusCode.BadRequest, detail);

    /// <summary>401 Unauthorized.</summary>
    public static MicroException Unauthorized(string id, string detail) => new(id, MicroStatusCode.Unauthorized, detail);

    /// <summary>403 Forbidden.</summary>
    public static MicroException Forbidden(string id, string detail) => new(id, MicroStatusCode.Forbidden, detail);

    /// <summary>404 Not Found.</summary>
    public static MicroException NotFound(string id, string detail) => new(id, MicroStatusCode.NotFound, detail);

    /// <summary>408 Request Timeout.</summary>
    public static MicroException Timeout(string id, string detail) => new(id, MicroStatusCode.Timeout, detail);

    /// <summary>409 Conflict.</summary>
    public static MicroException Conflict(string id, string detail) => new(id, MicroStatusCode.Conflict, detail);

    /// <summary>500 Internal Server Error.</summary>
    public static MicroException InternalServerError(string id, string detail) => new(id, MicroStatusCode.InternalServerError, detail);

    /// <summary>503 Service Unavailable.</summary>
    public static MicroException ServiceUnavailable(string id, string detail) => new(id, MicroStatusCode.ServiceUnavailable, detail);

    [DoesNotReturn]
    internal static void Throw(string id, int code, string detail) => throw new MicroException(id, code, detail);

    private static string FormatMessage(MicroError error) =>
        error is null ? "MicroGen error" : $"{error.Id}: {error.Code} {error.Status}: {error.Detail}";
}

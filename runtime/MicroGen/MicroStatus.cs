namespace MicroGen;

/// <summary>Well-known status codes of go-micro's error model (HTTP status codes).</summary>
public static class MicroStatusCode
{
    /// <summary>400: the request was malformed or could not be decoded.</summary>
    public const int BadRequest = 400;
    /// <summary>401: the caller is not authenticated.</summary>
    public const int Unauthorized = 401;
    /// <summary>403: the caller may not do this.</summary>
    public const int Forbidden = 403;
    /// <summary>404: no such service or endpoint.</summary>
    public const int NotFound = 404;
    /// <summary>405: the endpoint does not accept this kind of call.</summary>
    public const int MethodNotAllowed = 405;
    /// <summary>408: the call's deadline passed.</summary>
    public const int Timeout = 408;
    /// <summary>409: the request conflicts with the current state.</summary>
    public const int Conflict = 409;
    /// <summary>413: the request is larger than the receiver accepts.</summary>
    public const int PayloadTooLarge = 413;
    /// <summary>415: the content type is not one the receiver has a codec for.</summary>
    public const int UnsupportedMediaType = 415;
    /// <summary>499: the caller cancelled the call.</summary>
    public const int Cancelled = 499;
    /// <summary>500: the handler failed.</summary>
    public const int InternalServerError = 500;
    /// <summary>501: the endpoint exists but is not implemented.</summary>
    public const int NotImplemented = 501;
    /// <summary>502: a dependency of the handler failed.</summary>
    public const int BadGateway = 502;
    /// <summary>503: no node of the service could be reached.</summary>
    public const int ServiceUnavailable = 503;

    /// <summary>The HTTP reason phrase of <paramref name="code"/>, as go-micro fills <c>Status</c>.</summary>
    public static string StatusText(int code) => code switch
    {
        BadRequest => "Bad Request",
        Unauthorized => "Unauthorized",
        Forbidden => "Forbidden",
        NotFound => "Not Found",
        MethodNotAllowed => "Method Not Allowed",
        Timeout => "Request Timeout",
        Conflict => "Conflict",
        PayloadTooLarge => "Payload Too Large",
        UnsupportedMediaType => "Unsupported Media Type",
        Cancelled => "Client Closed Request",
        InternalServerError => "Internal Server Error",
        NotImplemented => "Not Implemented",
        BadGateway => "Bad Gateway",
        ServiceUnavailable => "Service Unavailable",
        _ => string.Empty,
    };
}

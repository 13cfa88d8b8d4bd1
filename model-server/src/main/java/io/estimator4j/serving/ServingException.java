package io.estimator4j.serving;

/**
 * A request error with TF Serving's status code ({@code tensorflow::error::Code}) and message; the
 * REST API answers it as {@code {"error": message}} with the HTTP status TF Serving maps the code
 * to.
 */
public final class ServingException extends RuntimeException {

  /** TF Serving's (absl's) status codes, with the HTTP status its REST server answers for each. */
  public enum Code {
    OK(200),
    CANCELLED(499),
    UNKNOWN(500),
    INVALID_ARGUMENT(400),
    DEADLINE_EXCEEDED(504),
    NOT_FOUND(404),
    ALREADY_EXISTS(409),
    PERMISSION_DENIED(403),
    RESOURCE_EXHAUSTED(429),
    FAILED_PRECONDITION(400),
    ABORTED(409),
    OUT_OF_RANGE(400),
    UNIMPLEMENTED(501),
    INTERNAL(500),
    UNAVAILABLE(503),
    DATA_LOSS(500),
    UNAUTHENTICATED(401);

    private final int httpStatus;

    Code(int httpStatus) {
      this.httpStatus = httpStatus;
    }

    /** The HTTP status TF Serving's REST API answers for this code. */
    public int httpStatus() {
      return httpStatus;
    }
  }

  private final Code code;

  public ServingException(Code code, String message) {
    super(message);
    this.code = code;
  }

  public Code code() {
    return code;
  }

  static ServingException invalid(String message) {
    return new ServingException(Code.INVALID_ARGUMENT, message);
  }

  static ServingException notFound(String message) {
    return new ServingException(Code.NOT_FOUND, message);
  }
}

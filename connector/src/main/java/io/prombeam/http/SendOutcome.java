package io.prombeam.http;

import org.apache.beam.sdk.annotations.Internal;

/**
 * What became of one logical request after all its tries: final HTTP status (0 when no response was
 * had), the receiver's response text (truncated) or the last exception, and counts.
 */
@Internal
public final class SendOutcome {
  /** Longest response text kept, in characters. */
  public static final int MAX_RESPONSE_TEXT = 1024;

  private final boolean success;
  private final int status;
  private final String message;
  private final int attempts;
  private final long lastAttemptMillis;
  private final long totalMillis;
  private final byte[] body;
  private String contentType = "";

  SendOutcome(
      boolean success,
      int status,
      String message,
      int attempts,
      long lastAttemptMillis,
      long totalMillis,
      byte[] body) {
    this.body = body;
    this.success = success;
    this.status = status;
    this.message = message;
    this.attempts = attempts;
    this.lastAttemptMillis = lastAttemptMillis;
    this.totalMillis = totalMillis;
  }

  /** Whether the server answered 2xx. */
  public boolean success() {
    return success;
  }

  /** HTTP status of the last try; 0 when it ended in a connection error or timeout. */
  public int status() {
    return status;
  }

  /** The receiver's response text, or the exception, of the last try. */
  public String message() {
    return message;
  }

  /** Tries made, retries included. */
  public int attempts() {
    return attempts;
  }

  /** Latency of the last try (the successful one, on success). */
  public long lastAttemptMillis() {
    return lastAttemptMillis;
  }

  /** Wall time of all tries and backoffs. */
  public long totalMillis() {
    return totalMillis;
  }

  /** The Content-Type of a kept body ("" when none). */
  public String contentType() {
    return contentType;
  }

  SendOutcome withContentType(String type) {
    this.contentType = type == null ? "" : type;
    return this;
  }

  /** The whole body of a successful response, when the caller asked to keep it; else null. */
  public byte[] body() {
    return body;
  }

  @Override
  public String toString() {
    return (success ? "ok" : "failed")
        + " status="
        + status
        + " attempts="
        + attempts
        + (message.isEmpty() ? "" : " message=" + message);
  }
}

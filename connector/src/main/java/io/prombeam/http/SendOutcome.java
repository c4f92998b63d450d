package io.prombeam.http;

import okhttp3.Headers;
import org.apache.beam.sdk.annotations.Internal;
import org.checkerframework.checker.nullness.qual.Nullable;

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
  private final Headers headers;
  private String contentType = "";

  SendOutcome(
      boolean success,
      int status,
      String message,
      int attempts,
      long lastAttemptMillis,
      long totalMillis,
      byte[] body,
      Headers headers) {
    this.body = body;
    this.headers = headers;
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

  /** A header of the last try's response (null when absent, or when no response was had). */
  public @Nullable String header(String name) {
    return headers.get(name);
  }

  /**
   * This outcome turned into a failure with {@code status} and {@code why}: for answers that the
   * protocol says are not what their status claims (a 2xx to a 2.0 request without written counts
   * is a 415; a 2xx that wrote less than was sent is a partial write).
   */
  public SendOutcome failedAs(int status, String why) {
    return new SendOutcome(
        false, status, why, attempts, lastAttemptMillis, totalMillis, null, headers);
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

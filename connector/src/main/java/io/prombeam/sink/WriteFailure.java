package io.prombeam.sink;

import io.prombeam.model.*;
import java.io.Serializable;
import java.util.Objects;
import org.apache.beam.sdk.annotations.Internal;
import org.apache.beam.sdk.coders.DefaultCoder;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * A series a sink did not deliver, with why: the broken rule, or the receiver's last HTTP status
 * and response text (truncated), and how many tries were made.
 */
@DefaultCoder(WriteFailureCoder.class)
public final class WriteFailure implements Serializable {
  private static final long serialVersionUID = 1L;

  private final TimeSeries series;
  private final FailureReason reason;
  private final @Nullable SeriesRule rule;
  private final int httpStatus;
  private final String message;
  private final int attempts;

  /** A series not delivered, why, and the receiver's answer if there was one. */
  @Internal
  public WriteFailure(
      TimeSeries series,
      FailureReason reason,
      @Nullable SeriesRule rule,
      int httpStatus,
      String message,
      int attempts) {
    this.series = Objects.requireNonNull(series);
    this.reason = Objects.requireNonNull(reason);
    this.rule = rule;
    this.httpStatus = httpStatus;
    this.message = message == null ? "" : message;
    this.attempts = attempts;
  }

  /** A series that breaks a data-model rule and never reached the wire. */
  @Internal
  public static WriteFailure invalid(TimeSeries series, SeriesViolation v) {
    return new WriteFailure(series, FailureReason.INVALID_SERIES, v.rule(), 0, v.message(), 0);
  }

  /** The series (or the part of it) not delivered. */
  public TimeSeries series() {
    return series;
  }

  /** Why it was not delivered. */
  public FailureReason reason() {
    return reason;
  }

  /** The broken rule, for {@link FailureReason#INVALID_SERIES}; null otherwise. */
  public @Nullable SeriesRule rule() {
    return rule;
  }

  /** The receiver's last HTTP status; 0 when none (invalid series, connection error, timeout). */
  public int httpStatus() {
    return httpStatus;
  }

  /** The rule's message, the receiver's response text, or the exception of the last try. */
  public String message() {
    return message;
  }

  /** Tries made; 0 for a series that never reached the wire. */
  public int attempts() {
    return attempts;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof WriteFailure)) {
      return false;
    }
    WriteFailure f = (WriteFailure) o;
    return series.equals(f.series)
        && reason == f.reason
        && rule == f.rule
        && httpStatus == f.httpStatus
        && message.equals(f.message)
        && attempts == f.attempts;
  }

  @Override
  public int hashCode() {
    return Objects.hash(series, reason, rule, httpStatus, message, attempts);
  }

  @Override
  public String toString() {
    return reason
        + (httpStatus != 0 ? " HTTP " + httpStatus : "")
        + (attempts > 0 ? " after " + attempts + (attempts == 1 ? " try" : " tries") : "")
        + ": "
        + message
        + " -- "
        + series;
  }
}

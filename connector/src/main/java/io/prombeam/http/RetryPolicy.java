package io.prombeam.http;

import com.google.auto.value.AutoValue;
import java.io.Serializable;
import org.apache.beam.sdk.annotations.Internal;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.util.BackOff;
import org.apache.beam.sdk.util.FluentBackoff;
import org.joda.time.Duration;

/**
 * How long and how often a failed request is tried again: exponential backoff (doubling, with
 * Beam's ±50% jitter) from {@link #minBackoff()} to {@link #maxBackoff()}, for at most {@link
 * #maxRetries()} retries and {@link #maxRetryDuration()} of wall time since the first try. Defaults
 * follow Prometheus' {@code queue_config}: 30 ms to 5 s.
 */
@AutoValue
public abstract class RetryPolicy implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Unlimited retries (bounded by {@link #maxRetryDuration()} alone). */
  public static final int UNLIMITED = Integer.MAX_VALUE;

  /** The first retry's delay. */
  public abstract Duration minBackoff();

  /** The longest delay between retries. */
  public abstract Duration maxBackoff();

  /** Retries of one request at most. */
  public abstract int maxRetries();

  /** Wall time one request is retried at most. */
  public abstract Duration maxRetryDuration();

  abstract Builder toBuilder();

  /**
   * Sinks ({@code remoteWrite}, {@code pushgateway}): 30 ms to 5 s backoff as Prometheus' {@code
   * queue_config}, unlimited retries within 10 minutes per request, so a receiver restart or a
   * short outage is ridden out before anything goes to the failure output.
   */
  public static RetryPolicy forSinks() {
    return new AutoValue_RetryPolicy.Builder()
        .setMinBackoff(Duration.millis(30))
        .setMaxBackoff(Duration.standardSeconds(5))
        .setMaxRetries(UNLIMITED)
        .setMaxRetryDuration(Duration.standardMinutes(10))
        .build();
  }

  /**
   * Reads ({@code read}, {@code remoteRead}): as {@link #forSinks()} within 2 minutes per request;
   * a bounded read that cannot be served fails the pipeline, and should do so soon.
   */
  public static RetryPolicy forReads() {
    return forSinks().withMaxRetryDuration(Duration.standardMinutes(2));
  }

  /**
   * Scrapes: no retry, as Prometheus: a failed scrape is reported as {@code up 0}, and the next
   * interval's scrape is the retry.
   */
  public static RetryPolicy forScrapes() {
    return forSinks().withMaxRetries(0).withMaxRetryDuration(Duration.ZERO);
  }

  /**
   * Pushes of a pipeline's own metrics: as {@link #forSinks()} within 30 s; the next period's push
   * carries newer values anyway.
   */
  public static RetryPolicy forMetricsExport() {
    return forSinks().withMaxRetryDuration(Duration.standardSeconds(30));
  }

  /** The first retry's delay, doubled per retry. */
  public RetryPolicy withMinBackoff(Duration d) {
    checkPositive("minBackoff", d);
    return toBuilder().setMinBackoff(d).build();
  }

  /** The longest delay between retries. */
  public RetryPolicy withMaxBackoff(Duration d) {
    checkPositive("maxBackoff", d);
    return toBuilder().setMaxBackoff(d).build();
  }

  /** Retries of one request at most; 0 for none. */
  public RetryPolicy withMaxRetries(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("maxRetries must be >= 0, got " + n);
    }
    return toBuilder().setMaxRetries(n).build();
  }

  /** Wall time one request is retried at most. */
  public RetryPolicy withMaxRetryDuration(Duration d) {
    if (d == null || d.getMillis() < 0) {
      throw new IllegalArgumentException("maxRetryDuration must be >= 0, got " + d);
    }
    return toBuilder().setMaxRetryDuration(d).build();
  }

  /** Checks the bounds fit together; the message names the transform. */
  @Internal
  public void validate(String transformName) {
    if (minBackoff().isLongerThan(maxBackoff())) {
      throw new IllegalArgumentException(
          transformName
              + ": minBackoff "
              + minBackoff()
              + " is longer than maxBackoff "
              + maxBackoff());
    }
  }

  /** A fresh backoff sequence for one request. */
  @Internal
  public BackOff newBackOff() {
    return FluentBackoff.DEFAULT
        .withExponent(2.0)
        .withInitialBackoff(minBackoff())
        .withMaxBackoff(maxBackoff())
        .withMaxRetries(maxRetries())
        .withMaxCumulativeBackoff(
            maxRetryDuration().getMillis() > 0 ? maxRetryDuration() : Duration.millis(1))
        .backoff();
  }

  /** Adds the bounds to a transform's display data. */
  @Internal
  public void populateDisplayData(DisplayData.Builder b) {
    b.add(DisplayData.item("minBackoff", minBackoff()).withLabel("Min backoff"));
    b.add(DisplayData.item("maxBackoff", maxBackoff()).withLabel("Max backoff"));
    b.add(
        DisplayData.item(
                "maxRetries",
                maxRetries() == UNLIMITED ? "unlimited" : String.valueOf(maxRetries()))
            .withLabel("Max retries"));
    b.add(DisplayData.item("maxRetryDuration", maxRetryDuration()).withLabel("Max retry duration"));
  }

  private static void checkPositive(String what, Duration d) {
    if (d == null || d.getMillis() <= 0) {
      throw new IllegalArgumentException(what + " must be positive, got " + d);
    }
  }

  @AutoValue.Builder
  abstract static class Builder {
    abstract Builder setMinBackoff(Duration d);

    abstract Builder setMaxBackoff(Duration d);

    abstract Builder setMaxRetries(int n);

    abstract Builder setMaxRetryDuration(Duration d);

    abstract RetryPolicy build();
  }
}

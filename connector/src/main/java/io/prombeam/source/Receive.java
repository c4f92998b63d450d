package io.prombeam.source;

import com.google.auto.value.AutoValue;
import io.prombeam.model.TimeSeries;
import okhttp3.HttpUrl;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;

/**
 * A remote-write receiver inside the pipeline (unbounded): Prometheus servers and agents point
 * their {@code remote_write} at the URL given to {@link #withUrl} and the series they send come out
 * as {@link TimeSeries}. Create with {@code PrometheusIO.receive()}; see docs/sources.md for the
 * delivery guarantee.
 */
@AutoValue
public abstract class Receive extends PTransform<PBegin, PCollection<TimeSeries>> {
  private static final long serialVersionUID = 1L;

  /** The URL to listen on, e.g. {@code http://0.0.0.0:9201/api/v1/write}. */
  public abstract @Nullable String url();

  /** Requests queued at most before senders get 503. */
  public abstract int maxQueuedRequests();

  /** How long a sender waits for its acknowledgement before 503. */
  public abstract Duration ackTimeout();

  /** When a sender gets its 2xx; see {@link #withAckMode}. */
  public abstract AckMode ackMode();

  /** When the source ends by itself; never when null. */
  public abstract @Nullable Duration stopAfter();

  abstract Builder toBuilder();

  /** A receiver with the defaults; prefer {@code PrometheusIO.receive()}. */
  public static Receive create() {
    return new AutoValue_Receive.Builder()
        .setMaxQueuedRequests(100)
        .setAckTimeout(Duration.standardSeconds(30))
        .setAckMode(AckMode.ON_CHECKPOINT)
        .build();
  }

  /**
   * Where to listen (required), as a URL like every other transform's: host or address to bind
   * ({@code 0.0.0.0} for all interfaces), port and path, e.g. {@code
   * http://0.0.0.0:9201/api/v1/write}. Senders use the same URL with the worker's address.
   */
  public Receive withUrl(String url) {
    HttpUrl parsed = HttpUrl.parse(url);
    if (parsed == null || !parsed.scheme().equals("http")) {
      throw new IllegalArgumentException("receive() listens on an http:// URL, got " + url);
    }
    if (parsed.query() != null || !parsed.username().isEmpty()) {
      throw new IllegalArgumentException(
          "receive()'s URL is host, port and path only, without user info or query");
    }
    return toBuilder().setUrl(url).build();
  }

  /** Requests queued at most before the receiver answers 503 (backpressure to the senders). */
  public Receive withMaxQueuedRequests(int n) {
    return toBuilder().setMaxQueuedRequests(n).build();
  }

  /** How long a sender waits for its acknowledgement before getting 503 (it then retries). */
  public Receive withAckTimeout(Duration d) {
    return toBuilder().setAckTimeout(d).build();
  }

  /**
   * When a sender gets its 2xx (default {@link AckMode#ON_CHECKPOINT}). {@link AckMode#ON_READ} for
   * runners that never finalize checkpoints (Flink without checkpointing) or do so only when later
   * data arrives (the DirectRunner finalizes a checkpoint when a later bundle reads something, so a
   * lone sender would wait for its own retry).
   */
  public Receive withAckMode(AckMode mode) {
    return toBuilder().setAckMode(mode).build();
  }

  /** End the source after this long (tests, bounded runs). */
  public Receive withStopAfter(Duration d) {
    return toBuilder().setStopAfter(d).build();
  }

  @Override
  public PCollection<TimeSeries> expand(PBegin input) {
    if (url() == null) {
      throw new IllegalArgumentException(
          getName() + ": withUrl(\"http://<bind address>:<port>/<path>\") is required");
    }
    HttpUrl listen = HttpUrl.get(url());
    return input.apply(
        Read.from(
            new RemoteWriteReceiverSource(
                listen.host(),
                listen.port(),
                listen.encodedPath(),
                maxQueuedRequests(),
                ackTimeout(),
                ackMode(),
                stopAfter())));
  }

  @Override
  public void populateDisplayData(DisplayData.Builder b) {
    super.populateDisplayData(b);
    b.add(DisplayData.item("listen", url()).withLabel("Listens on"))
        .add(
            DisplayData.item("maxQueuedRequests", maxQueuedRequests())
                .withLabel("Max queued requests"))
        .add(DisplayData.item("ackTimeout", ackTimeout()).withLabel("Ack timeout"))
        .add(DisplayData.item("ackMode", ackMode().toString()).withLabel("Acknowledge"));
  }

  @AutoValue.Builder
  abstract static class Builder {
    abstract Builder setUrl(@Nullable String url);

    abstract Builder setMaxQueuedRequests(int n);

    abstract Builder setAckTimeout(Duration d);

    abstract Builder setAckMode(AckMode mode);

    abstract Builder setStopAfter(@Nullable Duration d);

    abstract Receive build();
  }
}

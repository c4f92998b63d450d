package io.prombeam.source;

import com.google.auto.value.AutoValue;
import io.prombeam.model.TimeSeries;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;

/**
 * A remote-write receiver inside the pipeline (unbounded): Prometheus servers and agents point
 * their {@code remote_write} at {@code http://<worker>:<port>/api/v1/write} and the series they
 * send come out as {@link TimeSeries}. Create with {@code PrometheusIO.receive()}; see
 * docs/sources.md for the delivery guarantee.
 */
@AutoValue
public abstract class Receive extends PTransform<PBegin, PCollection<TimeSeries>> {
  private static final long serialVersionUID = 1L;

  public abstract String host();

  public abstract int port();

  public abstract String path();

  public abstract int maxQueuedRequests();

  public abstract Duration ackTimeout();

  public abstract boolean ackOnCheckpoint();

  public abstract @Nullable Duration stopAfter();

  abstract Builder toBuilder();

  public static Receive create() {
    return new AutoValue_Receive.Builder()
        .setHost("0.0.0.0")
        .setPort(-1)
        .setPath("/api/v1/write")
        .setMaxQueuedRequests(100)
        .setAckTimeout(Duration.standardSeconds(30))
        .setAckOnCheckpoint(true)
        .build();
  }

  /** The port to listen on (required). */
  public Receive withPort(int port) {
    return toBuilder().setPort(port).build();
  }

  /** The address to bind (default all interfaces). */
  public Receive withHost(String host) {
    return toBuilder().setHost(host).build();
  }

  public Receive withPath(String path) {
    return toBuilder().setPath(path.startsWith("/") ? path : "/" + path).build();
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
   * Answer 2xx as soon as the pipeline has read a request, not when its checkpoint is finalized:
   * for runners that never finalize checkpoints (Flink without checkpointing) or do so only when
   * later data arrives (DirectRunner finalizes a checkpoint when a later bundle reads something, so
   * a lone sender would wait for its own retry). Data read but lost in a crash before the next
   * checkpoint is then not re-sent.
   */
  public Receive withAckOnRead() {
    return toBuilder().setAckOnCheckpoint(false).build();
  }

  /** End the source after this long (tests, bounded runs). */
  public Receive withStopAfter(Duration d) {
    return toBuilder().setStopAfter(d).build();
  }

  @Override
  public PCollection<TimeSeries> expand(PBegin input) {
    if (port() < 0 || port() > 65535) {
      throw new IllegalArgumentException(getName() + ": withPort(...) is required");
    }
    return input.apply(
        Read.from(
            new RemoteWriteReceiverSource(
                host(),
                port(),
                path(),
                maxQueuedRequests(),
                ackTimeout(),
                ackOnCheckpoint()
                    ? RemoteWriteReceiverSource.AckMode.ON_CHECKPOINT
                    : RemoteWriteReceiverSource.AckMode.ON_READ,
                stopAfter())));
  }

  @Override
  public void populateDisplayData(DisplayData.Builder b) {
    super.populateDisplayData(b);
    b.add(DisplayData.item("listen", host() + ":" + port() + path()).withLabel("Listens on"))
        .add(
            DisplayData.item("maxQueuedRequests", maxQueuedRequests())
                .withLabel("Max queued requests"))
        .add(DisplayData.item("ackTimeout", ackTimeout()).withLabel("Ack timeout"))
        .add(
            DisplayData.item("ack", ackOnCheckpoint() ? "on checkpoint" : "on read")
                .withLabel("Acknowledge"));
  }

  @AutoValue.Builder
  abstract static class Builder {
    abstract Builder setHost(String h);

    abstract Builder setPort(int p);

    abstract Builder setPath(String p);

    abstract Builder setMaxQueuedRequests(int n);

    abstract Builder setAckTimeout(Duration d);

    abstract Builder setAckOnCheckpoint(boolean b);

    abstract Builder setStopAfter(@Nullable Duration d);

    abstract Receive build();
  }
}

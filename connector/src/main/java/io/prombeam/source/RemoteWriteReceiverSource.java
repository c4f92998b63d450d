package io.prombeam.source;

import io.prombeam.model.SeriesValidator;
import io.prombeam.model.TimeSeries;
import io.prombeam.model.TimeSeriesCoder;
import java.io.IOException;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.options.PipelineOptions;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A remote-write 1.0 receiver as an unbounded source. Each request is decoded and validated,
 * queued, and its HTTP exchange held open until the data is safe: by default until the runner
 * finalizes the checkpoint that holds it ({@link AckMode#ON_CHECKPOINT}), then 204. A full queue
 * answers 503 and an ack that does not come within the ack timeout answers 503 too, so the sender's
 * own retries keep delivery at-least-once. Invalid data answers 400 with the rule broken.
 */
final class RemoteWriteReceiverSource extends UnboundedSource<TimeSeries, ReceiverCheckpoint> {
  private static final long serialVersionUID = 1L;
  static final Logger LOG = LoggerFactory.getLogger(RemoteWriteReceiverSource.class);

  /** A receiver takes what senders send; judging their clocks is not its business. */
  static final SeriesValidator ANY_TIMESTAMP =
      SeriesValidator.DEFAULT.maxFutureSkewMillis(Long.MAX_VALUE);

  final String host;
  final int port;
  final String path;
  final int maxQueuedRequests;
  final Duration ackTimeout;
  final AckMode ackMode;
  final @Nullable Duration stopAfter;
  final ReceiverLimits limits;

  RemoteWriteReceiverSource(
      String host,
      int port,
      String path,
      int maxQueuedRequests,
      Duration ackTimeout,
      AckMode ackMode,
      @Nullable Duration stopAfter,
      ReceiverLimits limits) {
    this.limits = limits;
    this.host = host;
    this.port = port;
    this.path = path;
    this.maxQueuedRequests = maxQueuedRequests;
    this.ackTimeout = ackTimeout;
    this.ackMode = ackMode;
    this.stopAfter = stopAfter;
  }

  @Override
  public List<RemoteWriteReceiverSource> split(int desiredNumSplits, PipelineOptions options) {
    return List.of(this); // one listening socket
  }

  @Override
  public UnboundedReader<TimeSeries> createReader(
      PipelineOptions options, @Nullable ReceiverCheckpoint checkpoint) throws IOException {
    return new ReceiverReader(this);
  }

  @Override
  public Coder<ReceiverCheckpoint> getCheckpointMarkCoder() {
    return new ReceiverCheckpoint.Coder();
  }

  @Override
  public Coder<TimeSeries> getOutputCoder() {
    return TimeSeriesCoder.of();
  }
}

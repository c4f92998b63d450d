package io.prombeam.remotewrite;

import io.prombeam.http.HttpEndpoint;
import io.prombeam.http.RetryClassifier;
import io.prombeam.http.RetryPolicy;
import io.prombeam.http.SendOutcome;
import io.prombeam.model.FailurePolicy;
import io.prombeam.model.FailureReason;
import io.prombeam.model.TimeSeries;
import io.prombeam.model.TimeSeriesCoder;
import io.prombeam.model.WriteFailure;
import io.prombeam.sink.DeferredMetrics;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TupleTag;
import org.joda.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sending end of one shard. Keyed by shard number, so the runner runs one shard's elements,
 * timers and flushes one at a time: requests of a shard leave strictly one after another, each
 * waiting for the previous to succeed or finally fail. As every series is pinned to one shard,
 * its samples reach the receiver in the order this DoFn saw them, sorted within each request.
 *
 * <p>Buffers in Beam state (so a checkpoint holds what is not yet sent) and flushes when
 * {@code maxSamplesPerSend} samples are buffered, when {@code batchSendDeadline} has passed since
 * the first buffered sample arrived, and when the input ends (bounded input).
 * Sending blocks through retries, which is the sink's backpressure.
 */
final class ShardWriterFn extends DoFn<KV<Integer, List<TimeSeries>>, WriteSummary> {
  private static final Logger LOG = LoggerFactory.getLogger(ShardWriterFn.class);

  private final HttpEndpoint endpoint;
  private final RetryPolicy retryPolicy;
  private final RemoteWriteProtocol protocol;
  private final int maxSamplesPerSend;
  private final Duration batchSendDeadline;
  private final FailurePolicy failurePolicy;
  private final TupleTag<WriteSummary> successTag;
  private final TupleTag<WriteFailure> failureTag;
  private final String transformName;
  private final int orderGuardCapacity;
  private final String sinkId = java.util.UUID.randomUUID().toString();

  private transient RemoteWriteClient client;

  private transient DeferredMetrics metrics;
  private transient ProgressLog progress;

  /** Batches as {@link ShardBatchFn} made them: one state write per batch, not per series. */
  @StateId("buffer")
  private final StateSpec<BagState<List<TimeSeries>>> bufferSpec =
      StateSpecs.bag(ListCoder.of(TimeSeriesCoder.of()));

  @StateId("bufferedSamples")
  private final StateSpec<ValueState<Long>> countSpec = StateSpecs.value(VarLongCoder.of());

  @TimerId("deadline")
  private final TimerSpec deadlineSpec = TimerSpecs.timer(TimeDomain.PROCESSING_TIME);

  /**
   * Fires when the input ends (the global window's end), flushing the rest. A timer rather than
   * {@code @OnWindowExpiration}: Beam 2.62's Flink batch translation runs the latter without a
   * metrics container, and its metric updates would be lost.
   */
  @TimerId("end")
  private final TimerSpec endSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

  ShardWriterFn(
      HttpEndpoint endpoint,
      RetryPolicy retryPolicy,
      RemoteWriteProtocol protocol,
      int maxSamplesPerSend,
      Duration batchSendDeadline,
      FailurePolicy failurePolicy,
      TupleTag<WriteSummary> successTag,
      TupleTag<WriteFailure> failureTag,
      String transformName,
      int orderGuardCapacity) {
    this.endpoint = endpoint;
    this.retryPolicy = retryPolicy;
    this.protocol = protocol;
    this.maxSamplesPerSend = maxSamplesPerSend;
    this.batchSendDeadline = batchSendDeadline;
    this.failurePolicy = failurePolicy;
    this.successTag = successTag;
    this.failureTag = failureTag;
    this.transformName = transformName;
    this.orderGuardCapacity = orderGuardCapacity;
  }

  @Setup
  public void setup() {
    client = new RemoteWriteClient(endpoint, retryPolicy, protocol);

    metrics = new DeferredMetrics(SinkMetrics.NAMESPACE);
    progress = new ProgressLog(LOG, endpoint.redactedUrl());
  }

  @FinishBundle
  public void finishBundle() {
    metrics.flush();
  }

  @ProcessElement
  public void process(
      @Element KV<Integer, List<TimeSeries>> element,
      @StateId("buffer") BagState<List<TimeSeries>> buffer,
      @StateId("bufferedSamples") ValueState<Long> buffered,
      @TimerId("deadline") Timer deadline,
      @TimerId("end") Timer end,
      MultiOutputReceiver out)
      throws InterruptedException {
    List<TimeSeries> batch = element.getValue();
    long batchSamples = 0;
    for (TimeSeries ts : batch) {
      batchSamples += ts.sampleCount();
    }
    Long before = buffered.read();
    long count = (before == null ? 0 : before) + batchSamples;
    buffer.add(batch);
    if (count >= maxSamplesPerSend) {
      flush(element.getKey(), buffer, buffered, out);
    } else {
      buffered.write(count);
      if (before == null || before == 0) {
        deadline.offset(batchSendDeadline).setRelative();
        end.set(GlobalWindow.INSTANCE.maxTimestamp());
      }
    }
    metrics.flush();
  }

  @OnTimer("deadline")
  public void onDeadline(
      @Key Integer shard,
      @StateId("buffer") BagState<List<TimeSeries>> buffer,
      @StateId("bufferedSamples") ValueState<Long> buffered,
      MultiOutputReceiver out)
      throws InterruptedException {
    flushAndReport(shard, buffer, buffered, out);
  }

  @OnTimer("end")
  public void onEnd(
      @Key Integer shard,
      @StateId("buffer") BagState<List<TimeSeries>> buffer,
      @StateId("bufferedSamples") ValueState<Long> buffered,
      MultiOutputReceiver out)
      throws InterruptedException {
    flushAndReport(shard, buffer, buffered, out);
  }

  private void flushAndReport(
      int shard, BagState<List<TimeSeries>> buffer, ValueState<Long> buffered, MultiOutputReceiver out)
      throws InterruptedException {
    flush(shard, buffer, buffered, out);
    metrics.flush();
  }

  private void flush(
      int shard, BagState<List<TimeSeries>> buffer, ValueState<Long> buffered, MultiOutputReceiver out)
      throws InterruptedException {
    OrderGuard orderGuard =
        orderGuardCapacity > 0 ? OrderGuard.forShard(sinkId, shard, orderGuardCapacity) : null;
    List<TimeSeries> pending = new ArrayList<>();
    for (List<TimeSeries> batch : buffer.read()) {
      pending.addAll(batch);
    }
    RequestBuilder.Plan plan = RequestBuilder.plan(pending, maxSamplesPerSend, orderGuard);
    buffer.clear();
    buffered.clear();
    metrics.inc(SinkMetrics.SAMPLES_DEDUPLICATED, plan.duplicateSamplesDropped);
    for (WriteFailure conflict : plan.conflicts) {
      fail(conflict, out);
    }
    for (List<TimeSeries> request : plan.requests) {
      send(shard, request, orderGuard, out);
    }
  }

  private void send(int shard, List<TimeSeries> request, OrderGuard orderGuard, MultiOutputReceiver out)
      throws InterruptedException {
    int requestSamples = 0;
    for (TimeSeries ts : request) {
      requestSamples += ts.sampleCount();
    }
    final int retriedSamples = requestSamples;
    RemoteWriteClient.Delivery d =
        client.write(
            request,
            (status, reason, delay) -> {
              metrics.inc(SinkMetrics.RETRIES);
              metrics.inc(SinkMetrics.SAMPLES_RETRIED, retriedSamples);
            });
    SendOutcome outcome = d.outcome;
    int samples = d.samples;
    metrics.inc(SinkMetrics.REQUESTS);
    metrics.update(SinkMetrics.REQUEST_LATENCY_MS, outcome.lastAttemptMillis());
    if (outcome.success()) {
      if (orderGuard != null) {
        orderGuard.sent(request);
      }
      metrics.inc(SinkMetrics.SAMPLES_SENT, samples);
      metrics.inc(SinkMetrics.SERIES_SENT, request.size());
      metrics.inc(SinkMetrics.COMPRESSED_BYTES, d.compressedBytes);
      metrics.inc(SinkMetrics.UNCOMPRESSED_BYTES, d.uncompressedBytes);
      progress.sent(samples, d.compressedBytes);
      out.get(successTag)
          .output(
              new WriteSummary(
                  shard,
                  request.size(),
                  samples,
                  d.compressedBytes,
                  outcome.status(),
                  outcome.attempts(),
                  outcome.lastAttemptMillis()));
      return;
    }
    metrics.inc(SinkMetrics.REQUESTS_FAILED);
    FailureReason reason =
        outcome.status() != 0 && !RetryClassifier.isRetryable(outcome.status())
            ? FailureReason.REJECTED
            : FailureReason.RETRIES_EXHAUSTED;
    LOG.error(
        "{}: request of {} series / {} samples to {} not delivered: {}",
        transformName,
        request.size(),
        samples,
        endpoint.redactedUrl(),
        outcome);
    for (TimeSeries ts : request) {
      fail(
          new WriteFailure(ts, reason, null, outcome.status(), outcome.message(), outcome.attempts()),
          out);
    }
  }

  private void fail(WriteFailure failure, MultiOutputReceiver out) {
    metrics.inc(SinkMetrics.SAMPLES_FAILED, failure.series().sampleCount());
    if (failurePolicy == FailurePolicy.FAIL_PIPELINE) {
      throw new IllegalStateException(transformName + ": not delivered: " + failure);
    }
    out.get(failureTag).output(failure);
  }
}

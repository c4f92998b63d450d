package io.prombeam.remotewrite;

import io.prombeam.counters.PrombeamCounter;
import io.prombeam.http.HttpEndpoint;
import io.prombeam.http.SendOutcome;
import io.prombeam.model.TimeSeries;
import io.prombeam.sink.DeferredMetrics;
import io.prombeam.sink.FailureEmitter;
import io.prombeam.sink.FailurePolicy;
import io.prombeam.sink.SeriesNotDeliveredException;
import io.prombeam.sink.WriteFailure;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What both remote-write senders do with the outcome of a request: count it in the sink's metrics,
 * log progress, and turn it into a {@link WriteSummary} or one {@link WriteFailure} per series (or
 * an exception under {@link FailurePolicy#FAIL_PIPELINE}). Runs on the DoFn's own thread, where
 * Beam's metrics container is.
 */
final class DeliveryReport {
  private static final Logger LOG = LoggerFactory.getLogger(DeliveryReport.class);

  private final HttpEndpoint endpoint;
  private final FailureEmitter emitter;
  private final String transformName;
  private final DeferredMetrics metrics = new DeferredMetrics();
  private final ProgressLog progress;

  DeliveryReport(HttpEndpoint endpoint, FailurePolicy failurePolicy, String transformName) {
    this.endpoint = endpoint;
    this.emitter = new FailureEmitter(failurePolicy, transformName);
    this.transformName = transformName;
    this.progress = new ProgressLog(LOG, endpoint.redactedUrl());
  }

  DeferredMetrics metrics() {
    return metrics;
  }

  /** Counts retries of one request of {@code samples} samples. */
  void retried(long retries, long samples) {
    metrics.inc(PrombeamCounter.REMOTE_WRITE_RETRIES, retries);
    metrics.inc(PrombeamCounter.REMOTE_WRITE_SAMPLES_RETRIED, retries * samples);
  }

  /**
   * Reports one request's outcome: a summary to {@code successes} when it was delivered, else each
   * of its series to {@code failures}, classified as {@code REJECTED} (a status not worth retrying)
   * or {@code RETRIES_EXHAUSTED}.
   *
   * @return whether the request was delivered
   */
  boolean delivered(
      int shard,
      RemoteWriteClient.Delivery d,
      Consumer<WriteSummary> successes,
      Consumer<WriteFailure> failures) {
    SendOutcome outcome = d.outcome;
    List<TimeSeries> request = d.request;
    metrics.inc(PrombeamCounter.REMOTE_WRITE_REQUESTS);
    metrics.update(SinkMetrics.REQUEST_LATENCY_MS, outcome.lastAttemptMillis());
    if (outcome.success()) {
      metrics.inc(PrombeamCounter.REMOTE_WRITE_SAMPLES_SENT, d.samples);
      metrics.inc(PrombeamCounter.REMOTE_WRITE_SERIES_SENT, request.size());
      metrics.inc(PrombeamCounter.REMOTE_WRITE_COMPRESSED_BYTES, d.compressedBytes);
      metrics.inc(PrombeamCounter.REMOTE_WRITE_UNCOMPRESSED_BYTES, d.uncompressedBytes);
      progress.sent(d.samples, d.compressedBytes);
      successes.accept(
          new WriteSummary(
              shard,
              request.size(),
              d.samples,
              d.compressedBytes,
              outcome.status(),
              outcome.attempts(),
              outcome.lastAttemptMillis()));
      return true;
    }
    metrics.inc(PrombeamCounter.REMOTE_WRITE_REQUESTS_FAILED);
    LOG.error(
        "{}: request of {} series / {} samples to {} not delivered: {}",
        transformName,
        request.size(),
        d.samples,
        endpoint.redactedUrl(),
        outcome);
    for (TimeSeries ts : request) {
      failed(FailureEmitter.notDelivered(ts, outcome), failures);
    }
    return false;
  }

  /** Reports one series not delivered; throws instead under {@link FailurePolicy#FAIL_PIPELINE}. */
  void failed(WriteFailure failure, Consumer<WriteFailure> failures) {
    metrics.inc(PrombeamCounter.REMOTE_WRITE_SAMPLES_FAILED, failure.series().sampleCount());
    try {
      emitter.emit(failure, failures);
    } catch (SeriesNotDeliveredException e) {
      metrics.flush(); // the counts up to the failure stay visible
      throw e;
    }
  }
}

package io.prombeam.remotewrite;

import io.prombeam.counters.PrombeamCounter;
import io.prombeam.http.HttpEndpoint;
import io.prombeam.http.RetryPolicy;
import io.prombeam.model.Labels;
import io.prombeam.model.SeriesValidator;
import io.prombeam.model.SeriesViolation;
import io.prombeam.model.TimeSeries;
import io.prombeam.sink.FailurePolicy;
import io.prombeam.sink.WriteFailure;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TupleTag;

/**
 * The sending end for bounded input, validation included. Each element holds complete series (all
 * their samples, merged by {@link MergeSeriesFn}), so no other worker holds samples of them and its
 * requests need no coordination: series are sorted, exact repeats dropped, conflicting repeats
 * reported as {@code DUPLICATE_TIMESTAMP}, and packed whole into requests of up to {@code
 * maxSamplesPerSend} samples. A series larger than that is split into consecutive requests sent one
 * after another in timestamp order.
 *
 * <p>Requests go out on {@link SendSlots}' threads, at most {@code shards} at a time per worker,
 * while this thread prepares the next; a bundle is done only when all of its requests have
 * succeeded or finally failed, so a runner's retry of the bundle resends what may be lost.
 */
final class CompleteSeriesWriterFn extends DoFn<KV<Integer, SeriesRuns>, WriteSummary> {
  private final HttpEndpoint endpoint;
  private final RetryPolicy retryPolicy;
  private final RemoteWriteProtocol protocol;
  private final int maxBytesPerSend;
  private final int maxSamplesPerSend;
  private final int shards;
  private final FailurePolicy failurePolicy;
  private final TupleTag<WriteSummary> successTag;
  private final TupleTag<WriteFailure> failureTag;
  private final String transformName;
  private final SeriesValidator validator;
  private final boolean requestsPerElement;
  private final String sinkId = UUID.randomUUID().toString();

  private transient RemoteWriteClient client;
  private transient Semaphore slots;
  private transient DeliveryReport report;
  private transient ArrayDeque<Future<List<Sent>>> inFlight;
  private transient List<TimeSeries> request;
  private transient int requestSamples;

  /** One request's outcome, carried back to the DoFn's thread to be reported there. */
  private static final class Sent {
    final RemoteWriteClient.Delivery delivery;
    final long retries;

    Sent(RemoteWriteClient.Delivery delivery, long retries) {
      this.delivery = delivery;
      this.retries = retries;
    }
  }

  CompleteSeriesWriterFn(
      HttpEndpoint endpoint,
      RetryPolicy retryPolicy,
      RemoteWriteProtocol protocol,
      int maxBytesPerSend,
      int maxSamplesPerSend,
      int shards,
      FailurePolicy failurePolicy,
      TupleTag<WriteSummary> successTag,
      TupleTag<WriteFailure> failureTag,
      String transformName,
      SeriesValidator validator,
      boolean requestsPerElement) {
    this.requestsPerElement = requestsPerElement;
    this.endpoint = endpoint;
    this.retryPolicy = retryPolicy;
    this.protocol = protocol;
    this.maxBytesPerSend = maxBytesPerSend;
    this.maxSamplesPerSend = maxSamplesPerSend;
    this.shards = shards;
    this.failurePolicy = failurePolicy;
    this.successTag = successTag;
    this.failureTag = failureTag;
    this.transformName = transformName;
    this.validator = validator;
  }

  @Setup
  public void setup() {
    client = new RemoteWriteClient(endpoint, retryPolicy, protocol, maxBytesPerSend);
    slots = SendSlots.forSink(sinkId, shards);
    report = new DeliveryReport(endpoint, failurePolicy, transformName);
  }

  @StartBundle
  public void startBundle() {
    inFlight = new ArrayDeque<>();
    request = new ArrayList<>();
    requestSamples = 0;
  }

  @ProcessElement
  public void process(@Element KV<Integer, SeriesRuns> element, MultiOutputReceiver out)
      throws InterruptedException {
    for (Map.Entry<Labels, SampleRun> e : element.getValue().runs.entrySet()) {
      add(e.getValue().toSeries(e.getKey()), out);
      report(false, out.get(successTag)::output, out.get(failureTag)::output);
    }
    if (requestsPerElement) {
      // An element (a bucket of series) is done before the next one: every outcome is reported,
      // and counted, here rather than in @FinishBundle, whose metric updates the DirectRunner was
      // seen to lose for a step's last bundle (the samples arrived, ~0.4% of the counts did not).
      submitRequest();
      report(true, out.get(successTag)::output, out.get(failureTag)::output);
    }
    // Otherwise an element is mostly one series: the request being filled stays open for the
    // next elements of the bundle, and whatever is left goes out in @FinishBundle.
    report.metrics().flush();
  }

  /**
   * Validates one complete series and adds it to the request being filled, or sends it on its own
   * when large. Validation is here, once per series rather than once per sample: a broken label set
   * fails the whole series; samples too far in the future, and conflicting repeats, fail alone.
   */
  private void add(TimeSeries merged, MultiOutputReceiver out) throws InterruptedException {
    Optional<SeriesViolation> invalid = validator.validateLabelsAndPresence(merged);
    if (invalid.isPresent()) {
      invalid(WriteFailure.invalid(merged, invalid.get()), out);
      return;
    }
    int tooNew = validator.firstTooFarInFuture(merged);
    if (tooNew < merged.sampleCount()) {
      TimeSeries future = merged.slice(tooNew, merged.sampleCount());
      invalid(WriteFailure.invalid(future, validator.tooFarInFuture(future)), out);
      if (tooNew == 0) {
        return;
      }
      merged = merged.slice(0, tooNew);
    }
    RequestBuilder.Plan dedupe = new RequestBuilder.Plan();
    TimeSeries series = RequestBuilder.mergeAndDedupe(Collections.singletonList(merged), dedupe);
    report
        .metrics()
        .inc(PrombeamCounter.REMOTE_WRITE_SAMPLES_DEDUPLICATED, dedupe.duplicateSamplesDropped);
    for (WriteFailure conflict : dedupe.conflicts) {
      report.failed(conflict, out.get(failureTag)::output);
    }
    int n = series.sampleCount();
    if (n > maxSamplesPerSend) {
      submitRequest();
      List<List<TimeSeries>> chunks = new ArrayList<>();
      for (int from = 0; from < n; from += maxSamplesPerSend) {
        chunks.add(
            Collections.singletonList(series.slice(from, Math.min(n, from + maxSamplesPerSend))));
      }
      submit(chunks);
    } else {
      if (requestSamples + n > maxSamplesPerSend) {
        submitRequest(); // whole series per request: no series spans two concurrent requests
      }
      request.add(series);
      requestSamples += n;
    }
  }

  private void invalid(WriteFailure failure, MultiOutputReceiver out) {
    report.metrics().inc(PrombeamCounter.REMOTE_WRITE_SERIES_INVALID);
    report
        .metrics()
        .inc(PrombeamCounter.REMOTE_WRITE_SAMPLES_INVALID, failure.series().sampleCount());
    report.failed(failure, out.get(failureTag)::output);
  }

  @FinishBundle
  public void finishBundle(FinishBundleContext context) throws InterruptedException {
    submitRequest();
    report(
        true,
        s ->
            context.output(
                successTag, s, GlobalWindow.INSTANCE.maxTimestamp(), GlobalWindow.INSTANCE),
        f ->
            context.output(
                failureTag, f, GlobalWindow.INSTANCE.maxTimestamp(), GlobalWindow.INSTANCE));
    report.metrics().flush();
  }

  private void submitRequest() throws InterruptedException {
    if (!request.isEmpty()) {
      submit(Collections.singletonList(request));
      request = new ArrayList<>();
      requestSamples = 0;
    }
  }

  /** Sends {@code requests} one after another on one slot, in their order. */
  private void submit(List<List<TimeSeries>> requests) throws InterruptedException {
    slots.acquire();
    try {
      inFlight.add(
          SendSlots.POOL.submit(
              () -> {
                try {
                  List<Sent> sent = new ArrayList<>(requests.size());
                  for (List<TimeSeries> r : requests) {
                    AtomicLong retries = new AtomicLong();
                    for (RemoteWriteClient.Delivery d :
                        client.write(r, (status, reason, delay) -> retries.incrementAndGet())) {
                      sent.add(new Sent(d, retries.getAndSet(0)));
                    }
                  }
                  return sent;
                } finally {
                  slots.release();
                }
              }));
    } catch (RuntimeException e) {
      slots.release();
      throw e;
    }
  }

  /** Reports finished requests in submission order; with {@code all}, waits for every one. */
  private void report(
      boolean all, Consumer<WriteSummary> successes, Consumer<WriteFailure> failures)
      throws InterruptedException {
    for (Iterator<Future<List<Sent>>> it = inFlight.iterator(); it.hasNext(); ) {
      Future<List<Sent>> f = it.next();
      if (!all && !f.isDone()) {
        return;
      }
      List<Sent> done;
      try {
        done = f.get();
      } catch (ExecutionException e) {
        throw new IllegalStateException(transformName + ": sending failed", e.getCause());
      }
      it.remove();
      for (Sent s : done) {
        report.retried(s.retries, s.delivery.samples);
        report.delivered(-1, s.delivery, successes, failures);
      }
    }
  }
}

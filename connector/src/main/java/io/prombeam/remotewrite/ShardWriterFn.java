package io.prombeam.remotewrite;

import io.prombeam.counters.PrombeamCounter;
import io.prombeam.http.HttpEndpoint;
import io.prombeam.http.RetryPolicy;
import io.prombeam.model.Labels;
import io.prombeam.model.TimeSeries;
import io.prombeam.sink.FailurePolicy;
import io.prombeam.sink.WriteFailure;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
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
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TupleTag;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * The sending end of one shard for unbounded input. Keyed by shard number, so the runner runs one
 * shard's elements, timers and flushes one at a time: requests of a shard leave strictly one after
 * another. As every series is pinned to one shard, its samples reach the receiver in the order this
 * DoFn releases them.
 *
 * <p><b>Reorder buffer</b> (with a positive {@code maxReorderDelay}): arriving samples wait in Beam
 * state (so a checkpoint holds them) and are released in timestamp order once the input watermark
 * has passed their timestamp: samples of one series arriving from several upstream splits are then
 * all present and sorted before any is sent. A sample waits at most {@code maxReorderDelay} of
 * processing time (a stalled watermark cannot hold it for ever); releasing it also releases the
 * older samples of its series. Above {@code maxBufferedSamples} in one shard everything buffered is
 * released at once. A sample arriving after its series was sent past it is reported as {@code
 * OUT_OF_ORDER} by the {@link OrderGuard}.
 *
 * <p>With {@code maxReorderDelay} zero, samples are sent in arrival order: a flush when {@code
 * maxSamplesPerSend} samples are buffered or {@code batchSendDeadline} after the first. Either way
 * everything left is flushed when the input ends. Sending blocks through retries, which is the
 * sink's backpressure.
 */
final class ShardWriterFn extends DoFn<KV<Integer, TimeSeries>, WriteSummary> {
  private final HttpEndpoint endpoint;
  private final RetryPolicy retryPolicy;
  private final RemoteWriteProtocol protocol;
  private final int maxBytesPerSend;
  private final int maxSamplesPerSend;
  private final Duration batchSendDeadline;
  private final Duration maxReorderDelay;
  private final long maxBufferedSamples;
  private final FailurePolicy failurePolicy;
  private final TupleTag<WriteSummary> successTag;
  private final TupleTag<WriteFailure> failureTag;
  private final String transformName;
  private final int orderGuardCapacity;
  private final String sinkId = UUID.randomUUID().toString();

  private transient RemoteWriteClient client;
  private transient DeliveryReport report;

  @StateId("buffer")
  private final StateSpec<BagState<Parcel>> bufferSpec = StateSpecs.bag(Parcel.Coder.INSTANCE);

  @StateId("bufferedSamples")
  private final StateSpec<ValueState<Long>> countSpec = StateSpecs.value(VarLongCoder.of());

  /** The event time the release timer is set to: the oldest buffered sample's timestamp. */
  @StateId("releaseAt")
  private final StateSpec<ValueState<Long>> releaseAtSpec = StateSpecs.value(VarLongCoder.of());

  @TimerId("deadline")
  private final TimerSpec deadlineSpec = TimerSpecs.timer(TimeDomain.PROCESSING_TIME);

  @TimerId("release")
  private final TimerSpec releaseSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

  /** Fires when the input ends (the global window's end), flushing the rest. */
  @TimerId("end")
  private final TimerSpec endSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

  ShardWriterFn(
      HttpEndpoint endpoint,
      RetryPolicy retryPolicy,
      RemoteWriteProtocol protocol,
      int maxBytesPerSend,
      int maxSamplesPerSend,
      Duration batchSendDeadline,
      Duration maxReorderDelay,
      long maxBufferedSamples,
      FailurePolicy failurePolicy,
      TupleTag<WriteSummary> successTag,
      TupleTag<WriteFailure> failureTag,
      String transformName,
      int orderGuardCapacity) {
    this.endpoint = endpoint;
    this.retryPolicy = retryPolicy;
    this.protocol = protocol;
    this.maxBytesPerSend = maxBytesPerSend;
    this.maxSamplesPerSend = maxSamplesPerSend;
    this.batchSendDeadline = batchSendDeadline;
    this.maxReorderDelay = maxReorderDelay;
    this.maxBufferedSamples = maxBufferedSamples;
    this.failurePolicy = failurePolicy;
    this.successTag = successTag;
    this.failureTag = failureTag;
    this.transformName = transformName;
    this.orderGuardCapacity = orderGuardCapacity;
  }

  @Setup
  public void setup() {
    client = new RemoteWriteClient(endpoint, retryPolicy, protocol, maxBytesPerSend);
    report = new DeliveryReport(endpoint, failurePolicy, transformName);
  }

  @FinishBundle
  public void finishBundle() {
    report.metrics().flush();
  }

  private boolean reordering() {
    return maxReorderDelay.getMillis() > 0;
  }

  @ProcessElement
  public void process(
      @Element KV<Integer, TimeSeries> element,
      @StateId("buffer") BagState<Parcel> buffer,
      @StateId("bufferedSamples") ValueState<Long> buffered,
      @StateId("releaseAt") ValueState<Long> releaseAt,
      @TimerId("deadline") Timer deadline,
      @TimerId("release") Timer release,
      @TimerId("end") Timer end,
      MultiOutputReceiver out)
      throws InterruptedException {
    TimeSeries series = element.getValue();
    long oldest = series.timestamp(0);
    Long before = buffered.read();
    long count = (before == null ? 0 : before) + series.sampleCount();
    buffer.add(new Parcel(processingTime(deadline), Collections.singletonList(series)));
    State state = new State(element.getKey(), buffer, buffered, releaseAt, deadline, release);
    if (count >= (reordering() ? maxBufferedSamples : maxSamplesPerSend)) {
      if (reordering()) {
        report.metrics().inc(PrombeamCounter.REMOTE_WRITE_REORDER_BUFFER_OVERFLOWS);
      }
      release(state, Long.MAX_VALUE, Long.MAX_VALUE, out);
    } else {
      buffered.write(count);
      if (reordering()) {
        Long at = releaseAt.read();
        if (at == null || oldest < at) {
          release.set(eventTime(oldest));
          releaseAt.write(oldest);
        }
      }
      if (before == null || before == 0) {
        deadline.offset(reordering() ? maxReorderDelay : batchSendDeadline).setRelative();
        end.set(GlobalWindow.INSTANCE.maxTimestamp());
      }
    }
    report.metrics().flush();
  }

  @OnTimer("release")
  public void onRelease(
      @Key Integer shard,
      @StateId("buffer") BagState<Parcel> buffer,
      @StateId("bufferedSamples") ValueState<Long> buffered,
      @StateId("releaseAt") ValueState<Long> releaseAt,
      @TimerId("deadline") Timer deadline,
      @TimerId("release") Timer release,
      MultiOutputReceiver out)
      throws InterruptedException {
    releaseDue(new State(shard, buffer, buffered, releaseAt, deadline, release), out);
  }

  @OnTimer("deadline")
  public void onDeadline(
      @Key Integer shard,
      @StateId("buffer") BagState<Parcel> buffer,
      @StateId("bufferedSamples") ValueState<Long> buffered,
      @StateId("releaseAt") ValueState<Long> releaseAt,
      @TimerId("deadline") Timer deadline,
      @TimerId("release") Timer release,
      MultiOutputReceiver out)
      throws InterruptedException {
    releaseDue(new State(shard, buffer, buffered, releaseAt, deadline, release), out);
  }

  /**
   * What a release or deadline timer sends: with the reorder buffer, what the watermark has passed
   * and what has waited {@code maxReorderDelay}; without it, everything buffered.
   */
  private void releaseDue(State s, MultiOutputReceiver out) throws InterruptedException {
    if (reordering()) {
      release(
          s, watermark(s.release), processingTime(s.deadline) - maxReorderDelay.getMillis(), out);
    } else {
      release(s, Long.MAX_VALUE, Long.MAX_VALUE, out);
    }
    report.metrics().flush();
  }

  @OnTimer("end")
  public void onEnd(
      @Key Integer shard,
      @StateId("buffer") BagState<Parcel> buffer,
      @StateId("bufferedSamples") ValueState<Long> buffered,
      @StateId("releaseAt") ValueState<Long> releaseAt,
      @TimerId("deadline") Timer deadline,
      @TimerId("release") Timer release,
      MultiOutputReceiver out)
      throws InterruptedException {
    release(
        new State(shard, buffer, buffered, releaseAt, deadline, release),
        Long.MAX_VALUE,
        Long.MAX_VALUE,
        out);
    report.metrics().flush();
  }

  /** A shard's state and timers, as one callback was handed them. */
  private static final class State {
    final int shard;
    final BagState<Parcel> buffer;
    final ValueState<Long> buffered;
    final ValueState<Long> releaseAt;
    final Timer deadline;
    final Timer release;

    State(
        int shard,
        BagState<Parcel> buffer,
        ValueState<Long> buffered,
        ValueState<Long> releaseAt,
        Timer deadline,
        Timer release) {
      this.shard = shard;
      this.buffer = buffer;
      this.buffered = buffered;
      this.releaseAt = releaseAt;
      this.deadline = deadline;
      this.release = release;
    }
  }

  /** The runner's processing time (a test clock under TestStream), in epoch millis. */
  private static long processingTime(Timer processingTimeTimer) {
    return processingTimeTimer.getCurrentRelativeTime().getMillis();
  }

  /** The input watermark, in epoch millis. */
  private static long watermark(Timer eventTimeTimer) {
    return eventTimeTimer.getCurrentRelativeTime().getMillis();
  }

  /**
   * Sends the buffered samples with a timestamp at or before {@code watermark}, and those of
   * parcels that arrived at or before {@code expiredArrival} together with every older sample of
   * their series; writes the rest back and sets the timers for it.
   */
  private void release(State s, long watermark, long expiredArrival, MultiOutputReceiver out)
      throws InterruptedException {
    List<Parcel> parcels = new ArrayList<>();
    for (Parcel p : s.buffer.read()) {
      parcels.add(p);
    }
    Map<Labels, Long> limits = new HashMap<>();
    for (Parcel p : parcels) {
      if (p.arrivalMillis <= expiredArrival) {
        for (TimeSeries ts : p.series) {
          limits.merge(ts.labels(), ts.timestamp(ts.sampleCount() - 1), Math::max);
        }
      }
    }
    List<TimeSeries> released = new ArrayList<>();
    List<Parcel> kept = new ArrayList<>();
    long keptSamples = 0;
    long oldestKept = Long.MAX_VALUE;
    long firstArrivalKept = Long.MAX_VALUE;
    for (Parcel p : parcels) {
      List<TimeSeries> rest = new ArrayList<>();
      for (TimeSeries ts : p.series) {
        long limit = Math.max(watermark, limits.getOrDefault(ts.labels(), Long.MIN_VALUE));
        int cut = firstAfter(ts, limit);
        if (cut > 0) {
          released.add(ts.slice(0, cut));
        }
        if (cut < ts.sampleCount()) {
          TimeSeries later = ts.slice(cut, ts.sampleCount());
          rest.add(later);
          keptSamples += later.sampleCount();
          oldestKept = Math.min(oldestKept, later.timestamp(0));
        }
      }
      if (!rest.isEmpty()) {
        kept.add(
            rest.size() == p.series.size() && rest.equals(p.series)
                ? p
                : new Parcel(p.arrivalMillis, rest));
        firstArrivalKept = Math.min(firstArrivalKept, p.arrivalMillis);
      }
    }
    if (released.isEmpty() && kept.size() == parcels.size()) {
      if (!kept.isEmpty()) {
        s.release.set(eventTime(oldestKept));
        s.releaseAt.write(oldestKept);
        s.deadline.set(new Instant(firstArrivalKept).plus(maxReorderDelay));
      }
      return; // nothing due: the buffer stays as it is
    }
    s.buffer.clear();
    for (Parcel p : kept) {
      s.buffer.add(p);
    }
    if (kept.isEmpty()) {
      s.buffered.clear();
      s.releaseAt.clear();
    } else {
      s.buffered.write(keptSamples);
      s.release.set(eventTime(oldestKept));
      s.releaseAt.write(oldestKept);
      s.deadline.set(new Instant(firstArrivalKept).plus(maxReorderDelay));
    }
    send(s.shard, released, out);
  }

  /** The index of the first sample of sorted {@code ts} after {@code limit}. */
  private static int firstAfter(TimeSeries ts, long limit) {
    int n = ts.sampleCount();
    if (ts.timestamp(n - 1) <= limit) {
      return n;
    }
    int i = 0;
    while (i < n && ts.timestamp(i) <= limit) {
      i++;
    }
    return i;
  }

  private static Instant eventTime(long millis) {
    Instant max = GlobalWindow.INSTANCE.maxTimestamp();
    if (millis >= max.getMillis()) {
      return max;
    }
    return millis <= BoundedWindow.TIMESTAMP_MIN_VALUE.getMillis()
        ? BoundedWindow.TIMESTAMP_MIN_VALUE
        : new Instant(millis);
  }

  private void send(int shard, List<TimeSeries> series, MultiOutputReceiver out)
      throws InterruptedException {
    if (series.isEmpty()) {
      return;
    }
    OrderGuard orderGuard =
        orderGuardCapacity > 0 ? OrderGuard.forShard(sinkId, shard, orderGuardCapacity) : null;
    RequestBuilder.Plan plan = RequestBuilder.plan(series, maxSamplesPerSend, orderGuard);
    report
        .metrics()
        .inc(PrombeamCounter.REMOTE_WRITE_SAMPLES_DEDUPLICATED, plan.duplicateSamplesDropped);
    for (WriteFailure conflict : plan.conflicts) {
      report.failed(conflict, out.get(failureTag)::output);
    }
    for (List<TimeSeries> request : plan.requests) {
      AtomicLong retries = new AtomicLong();
      List<RemoteWriteClient.Delivery> sent =
          client.write(request, (status, reason, delay) -> retries.incrementAndGet());
      for (RemoteWriteClient.Delivery d : sent) {
        report.retried(retries.getAndSet(0), d.samples);
        if (report.delivered(shard, d, out.get(successTag)::output, out.get(failureTag)::output)
            && orderGuard != null) {
          orderGuard.sent(d.request);
        }
      }
    }
  }
}

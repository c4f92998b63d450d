package io.prombeam.aggregate;

import io.prombeam.counters.PrombeamCounter;
import io.prombeam.model.Labels;
import io.prombeam.model.MetricMetadata;
import io.prombeam.model.MetricType;
import io.prombeam.model.StaleMarker;
import io.prombeam.model.TimeSeries;
import io.prombeam.sink.DeferredMetrics;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
import org.apache.beam.sdk.values.KV;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Per label set, in the global window: turns fired panes into samples Prometheus accepts.
 *
 * <ul>
 *   <li>Panes are emitted in timestamp order: each waits in state until the watermark passes its
 *       timestamp (a batch pipeline fires all windows at once, in no order). Early panes, being
 *       speculative, go out at once.
 *   <li>Cumulative kinds add each pane (a delta: panes are made discarding upstream) to a running
 *       total kept in state, so counters stay monotonic across windows and restarts. Their float
 *       samples carry the first window's start as start timestamp.
 *   <li>Each sample gets the pane's timestamp, or — when that is not after the series' previous
 *       sample — 1 ms after it ({@link LatePanePolicy#EMIT_AFTER_LATEST}) or none ({@link
 *       LatePanePolicy#FOLD_INTO_NEXT}): never two samples at one timestamp.
 *   <li>With a staleness gap, a label set silent for that long (event time) gets stale markers.
 * </ul>
 */
final class EmitFn extends DoFn<KV<Labels, Pane>, TimeSeries> {
  private final Renderer renderer;
  private final boolean cumulative;
  private final LatePanePolicy latePolicy;
  private final @Nullable Duration staleAfter;
  private final boolean createdSeries;

  private transient DeferredMetrics metrics;

  @Setup
  public void setup() {
    metrics = new DeferredMetrics();
  }

  @FinishBundle
  public void finishBundle() {
    metrics.flush();
  }

  @StateId("pending")
  private final StateSpec<BagState<Pane>> pendingSpec = StateSpecs.bag(Pane.PaneCoder.INSTANCE);

  @StateId("pendingMin")
  private final StateSpec<ValueState<Long>> pendingMinSpec = StateSpecs.value(VarLongCoder.of());

  @StateId("lastTs")
  private final StateSpec<ValueState<Long>> lastTsSpec = StateSpecs.value(VarLongCoder.of());

  @StateId("totals")
  private final StateSpec<ValueState<double[]>> totalsSpec =
      StateSpecs.value(Accumulators.DoubleArrayCoder.INSTANCE);

  @StateId("created")
  private final StateSpec<ValueState<Long>> createdSpec = StateSpecs.value(VarLongCoder.of());

  @TimerId("flush")
  private final TimerSpec flushSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

  @TimerId("stale")
  private final TimerSpec staleSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

  EmitFn(
      Renderer renderer,
      boolean cumulative,
      LatePanePolicy latePolicy,
      @Nullable Duration staleAfter,
      boolean createdSeries) {
    this.renderer = renderer;
    this.cumulative = cumulative;
    this.latePolicy = latePolicy;
    this.staleAfter = staleAfter;
    this.createdSeries = createdSeries;
  }

  @ProcessElement
  public void process(
      @Element KV<Labels, Pane> element,
      @StateId("pending") BagState<Pane> pending,
      @StateId("pendingMin") ValueState<Long> pendingMin,
      @StateId("lastTs") ValueState<Long> lastTs,
      @StateId("totals") ValueState<double[]> totals,
      @StateId("created") ValueState<Long> created,
      @TimerId("flush") Timer flush,
      @TimerId("stale") Timer stale,
      OutputReceiver<TimeSeries> out) {
    Pane pane = element.getValue();
    if (pane.early) {
      for (TimeSeries s : emit(element.getKey(), pane, lastTs, totals, created, stale)) {
        out.outputWithTimestamp(s, new Instant(s.timestamp(0)));
      }
      return;
    }
    pending.add(pane);
    // The timer waits for the newest pending pane: panes reach this DoFn once their window closed,
    // so in a stream they are due already, and in a batch pipeline (which fires every window at
    // the end, in no order) one firing then emits all of a series' samples as one element —
    // which keeps them in order through any later shuffle.
    Long max = pendingMin.read();
    if (max == null || pane.timestamp > max) {
      pendingMin.write(pane.timestamp);
      flush.set(new Instant(pane.timestamp));
    }
  }

  @OnTimer("flush")
  public void onFlush(
      @Key Labels key,
      @StateId("pending") BagState<Pane> pending,
      @StateId("pendingMin") ValueState<Long> pendingMin,
      @StateId("lastTs") ValueState<Long> lastTs,
      @StateId("totals") ValueState<double[]> totals,
      @StateId("created") ValueState<Long> created,
      @TimerId("flush") Timer flush,
      @TimerId("stale") Timer stale,
      OutputReceiver<TimeSeries> out) {
    List<Pane> due = new ArrayList<>();
    pending.read().forEach(due::add);
    due.sort(Comparator.comparingLong(p -> p.timestamp)); // stable: arrival order breaks ties
    pending.clear();
    pendingMin.clear();
    Map<Labels, TimeSeries.Builder> merged = new LinkedHashMap<>();
    long lastEmitted = Long.MIN_VALUE;
    for (Pane p : due) {
      for (TimeSeries s : emit(key, p, lastTs, totals, created, stale)) {
        merged
            .computeIfAbsent(s.labels(), l -> TimeSeries.builder(l).metadata(s.metadata()))
            .point(s, 0)
            .exemplars(s);
        lastEmitted = Math.max(lastEmitted, s.timestamp(0));
      }
    }
    Instant at = new Instant(lastEmitted);
    for (TimeSeries.Builder b : merged.values()) {
      out.outputWithTimestamp(b.build(), at);
    }
  }

  /** The series of one pane, stamped; empty when the pane is folded. */
  private List<TimeSeries> emit(
      Labels key,
      Pane pane,
      ValueState<Long> lastTs,
      ValueState<double[]> totals,
      ValueState<Long> created,
      Timer stale) {
    double[] values = Arrays.copyOf(pane.values, pane.values.length - 1); // drop the timestamp
    if (cumulative) {
      double[] t = totals.read();
      if (t != null) {
        values = renderer.accumulate(t, values);
      }
    }
    totals.write(values); // cumulative: the running total; otherwise the shape for stale markers
    Long createdAt = created.read();
    if (createdAt == null) {
      createdAt = pane.windowStart;
      created.write(createdAt);
    }
    Long last = lastTs.read();
    long ts = pane.timestamp;
    if (last != null && ts <= last) {
      if (latePolicy == LatePanePolicy.FOLD_INTO_NEXT) {
        metrics.inc(PrombeamCounter.AGGREGATE_PANES_FOLDED);
        return List.of();
      }
      ts = last + 1;
      metrics.inc(PrombeamCounter.AGGREGATE_PANES_RESTAMPED);
    }
    List<TimeSeries> series = new ArrayList<>();
    if (staleAfter != null && last != null && ts - last > staleAfter.getMillis()) {
      // silent for longer than the gap between two panes emitted together: end it in between
      series.addAll(staleMarkers(key, values.length, last + staleAfter.getMillis()));
    }
    lastTs.write(ts);
    for (TimeSeries s : renderer.render(key, values, ts)) {
      if (s.hasHistograms()) {
        // the exemplars picked in this pane go with its histogram
        series.add(pane.exemplars.length == 0 ? s : withExemplars(s, pane.exemplars));
      } else {
        // a running total started counting at its first window's start: remote-write 2.0 sends
        // it as the sample's start timestamp, so a receiver tells a restart from a slow counter
        series.add(cumulative ? withStart(s, createdAt) : s);
      }
    }
    if (createdSeries) {
      series.add(createdSeries(key, ts, createdAt));
    }
    if (staleAfter != null) {
      stale.set(new Instant(ts).plus(staleAfter));
    }
    return series;
  }

  private static TimeSeries withExemplars(TimeSeries s, io.prombeam.model.Exemplar[] exemplars) {
    TimeSeries.Builder b = s.toBuilder();
    for (io.prombeam.model.Exemplar e : exemplars) {
      b.exemplar(e);
    }
    return b.build();
  }

  private static TimeSeries withStart(TimeSeries s, long start) {
    if (StaleMarker.isStale(s.value(0))) {
      return s;
    }
    return TimeSeries.builder(s.labels())
        .sample(s.timestamp(0), s.value(0), start)
        .metadata(s.metadata())
        .build();
  }

  @OnTimer("stale")
  public void onStale(
      OnTimerContext c,
      @Key Labels key,
      @StateId("lastTs") ValueState<Long> lastTs,
      @StateId("totals") ValueState<double[]> totals,
      @TimerId("stale") Timer stale,
      OutputReceiver<TimeSeries> out) {
    Long last = lastTs.read();
    double[] shape = totals.read();
    long ts = c.timestamp().getMillis();
    if (last == null || shape == null) {
      return;
    }
    if (ts <= last) {
      // a newer sample came since this timer was set: wait for the gap after that one
      stale.set(new Instant(last).plus(staleAfter));
      return;
    }
    Instant at = new Instant(ts);
    for (TimeSeries s : staleMarkers(key, shape.length, ts)) {
      out.outputWithTimestamp(s, at);
    }
    lastTs.write(ts);
  }

  private List<TimeSeries> staleMarkers(Labels key, int width, long ts) {
    double[] staleValues = new double[width];
    Arrays.fill(staleValues, StaleMarker.VALUE);
    metrics.inc(PrombeamCounter.AGGREGATE_SERIES_STALED);
    return renderer.render(key, staleValues, ts);
  }

  @Override
  @SuppressWarnings("deprecation") // early panes of an interval window are stamped before its end
  public Duration getAllowedTimestampSkew() {
    return Duration.millis(
        org.apache.beam.sdk.transforms.windowing.BoundedWindow.TIMESTAMP_MAX_VALUE.getMillis()
            - org.apache.beam.sdk.transforms.windowing.BoundedWindow.TIMESTAMP_MIN_VALUE
                .getMillis());
  }

  private static TimeSeries createdSeries(Labels key, long ts, long createdAt) {
    String name = key.metricName();
    String base =
        name.endsWith("_total") ? name.substring(0, name.length() - "_total".length()) : name;
    return TimeSeries.builder(key.with(Labels.METRIC_NAME, base + "_created"))
        .sample(ts, createdAt / 1000.0)
        .metadata(
            MetricMetadata.of(
                MetricType.GAUGE, "When the counter " + name + " started (Unix seconds)."))
        .build();
  }
}

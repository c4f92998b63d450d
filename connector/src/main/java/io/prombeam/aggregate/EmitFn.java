package io.prombeam.aggregate;

import io.prombeam.model.Labels;
import io.prombeam.model.MetricMetadata;
import io.prombeam.model.MetricType;
import io.prombeam.model.StaleMarker;
import io.prombeam.model.TimeSeries;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
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
 *       total kept in state, so counters stay monotonic across windows and restarts.
 *   <li>Each sample gets the pane's timestamp, or — when that is not after the series' previous
 *       sample — 1 ms after it ({@link LatePanePolicy#EMIT_AFTER_LATEST}) or none
 *       ({@link LatePanePolicy#FOLD_INTO_NEXT}): never two samples at one timestamp.
 *   <li>With a staleness gap, a label set silent for that long (event time) gets stale markers.
 * </ul>
 */
final class EmitFn extends DoFn<KV<Labels, Pane>, TimeSeries> {
  private final Renderer renderer;
  private final boolean cumulative;
  private final LatePanePolicy latePolicy;
  private final @Nullable Duration staleAfter;
  private final boolean createdSeries;

  private final Counter folded = Metrics.counter("prombeam", "aggregate_panes_folded");
  private final Counter moved = Metrics.counter("prombeam", "aggregate_panes_restamped");
  private final Counter staled = Metrics.counter("prombeam", "aggregate_series_staled");

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

  EmitFn(Renderer renderer, boolean cumulative, LatePanePolicy latePolicy, @Nullable Duration staleAfter, boolean createdSeries) {
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
      emit(element.getKey(), pane, lastTs, totals, created, stale, out);
      return;
    }
    pending.add(pane);
    Long min = pendingMin.read();
    if (min == null || pane.timestamp < min) {
      pendingMin.write(pane.timestamp);
      flush.set(new Instant(pane.timestamp));
    }
  }

  @OnTimer("flush")
  public void onFlush(
      OnTimerContext c,
      @Key Labels key,
      @StateId("pending") BagState<Pane> pending,
      @StateId("pendingMin") ValueState<Long> pendingMin,
      @StateId("lastTs") ValueState<Long> lastTs,
      @StateId("totals") ValueState<double[]> totals,
      @StateId("created") ValueState<Long> created,
      @TimerId("flush") Timer flush,
      @TimerId("stale") Timer stale,
      OutputReceiver<TimeSeries> out) {
    long now = c.timestamp().getMillis();
    List<Pane> due = new ArrayList<>();
    List<Pane> later = new ArrayList<>();
    for (Pane p : pending.read()) {
      (p.timestamp <= now ? due : later).add(p);
    }
    due.sort(Comparator.comparingLong(p -> p.timestamp)); // stable: arrival order breaks ties
    for (Pane p : due) {
      emit(key, p, lastTs, totals, created, stale, out);
    }
    pending.clear();
    pendingMin.clear();
    if (!later.isEmpty()) {
      long min = Long.MAX_VALUE;
      for (Pane p : later) {
        pending.add(p);
        min = Math.min(min, p.timestamp);
      }
      pendingMin.write(min);
      flush.set(new Instant(min));
    }
  }

  private void emit(
      Labels key,
      Pane pane,
      ValueState<Long> lastTs,
      ValueState<double[]> totals,
      ValueState<Long> created,
      Timer stale,
      OutputReceiver<TimeSeries> out) {
    double[] values = Arrays.copyOf(pane.values, pane.values.length - 1); // drop the timestamp
    if (cumulative) {
      double[] t = totals.read();
      if (t != null) {
        for (int i = 0; i < values.length; i++) {
          values[i] += t[i];
        }
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
        folded.inc();
        return;
      }
      ts = last + 1;
      moved.inc();
    }
    lastTs.write(ts);
    Instant at = new Instant(ts);
    for (TimeSeries s : renderer.render(key, values, ts)) {
      out.outputWithTimestamp(s, at);
    }
    if (createdSeries) {
      out.outputWithTimestamp(createdSeries(key, ts, createdAt), at);
    }
    if (staleAfter != null) {
      stale.set(at.plus(staleAfter));
    }
  }

  @OnTimer("stale")
  public void onStale(
      OnTimerContext c,
      @Key Labels key,
      @StateId("lastTs") ValueState<Long> lastTs,
      @StateId("totals") ValueState<double[]> totals,
      OutputReceiver<TimeSeries> out) {
    Long last = lastTs.read();
    double[] shape = totals.read();
    if (last == null || shape == null || c.timestamp().getMillis() <= last) {
      return; // a newer sample was emitted since the timer was set
    }
    long ts = c.timestamp().getMillis();
    double[] staleValues = new double[shape.length];
    Arrays.fill(staleValues, StaleMarker.VALUE);
    Instant at = new Instant(ts);
    for (TimeSeries s : renderer.render(key, staleValues, ts)) {
      out.outputWithTimestamp(s, at);
    }
    lastTs.write(ts);
    staled.inc();
  }

  @Override
  @SuppressWarnings("deprecation") // early panes of an interval window are stamped before its end
  public Duration getAllowedTimestampSkew() {
    return Duration.millis(
        org.apache.beam.sdk.transforms.windowing.BoundedWindow.TIMESTAMP_MAX_VALUE.getMillis()
            - org.apache.beam.sdk.transforms.windowing.BoundedWindow.TIMESTAMP_MIN_VALUE.getMillis());
  }

  private static TimeSeries createdSeries(Labels key, long ts, long createdAt) {
    String name = key.metricName();
    String base = name.endsWith("_total") ? name.substring(0, name.length() - "_total".length()) : name;
    return TimeSeries.builder(key.with(Labels.METRIC_NAME, base + "_created"))
        .sample(ts, createdAt / 1000.0)
        .metadata(MetricMetadata.of(MetricType.GAUGE, "When the counter " + name + " started (Unix seconds)."))
        .build();
  }
}

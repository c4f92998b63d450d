package io.prombeam.aggregate;

import io.prombeam.model.Exemplar;
import io.prombeam.model.Labels;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.values.KV;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Captures the window of a combined value as its sample timestamp, before everything moves to the
 * global window: an interval window's last millisecond, or in the global window the latest event
 * time the pane saw.
 */
final class ToPaneFn extends DoFn<KV<Labels, double[]>, KV<Labels, Pane>> {
  @ProcessElement
  public void process(
      @Element KV<Labels, double[]> kv,
      BoundedWindow window,
      PaneInfo paneInfo,
      OutputReceiver<KV<Labels, Pane>> out) {
    output(kv.getKey(), kv.getValue(), Pane.NO_EXEMPLARS, window, paneInfo, out);
  }

  /** The combined values {@code v} (latest event time last) of {@code key} as a pane. */
  static void output(
      Labels key,
      double[] v,
      Exemplar[] exemplars,
      BoundedWindow window,
      PaneInfo paneInfo,
      OutputReceiver<KV<Labels, Pane>> out) {
    long latest = (long) v[v.length - 1];
    if (latest == Long.MIN_VALUE) {
      // An empty pane (e.g. the on-time pane after early ones, now that panes are deltas): for
      // running totals nothing changed, and a per-window value has nothing to say.
      return;
    }
    long ts;
    long start;
    if (window instanceof IntervalWindow) {
      ts = window.maxTimestamp().getMillis();
      start = ((IntervalWindow) window).start().getMillis();
    } else {
      ts = latest;
      start = latest;
    }
    boolean early = paneInfo.getTiming() == PaneInfo.Timing.EARLY;
    // The element is stamped with the sample's time, which for the global window lies before the
    // pane's (end-of-global-window) timestamp.
    out.outputWithTimestamp(KV.of(key, new Pane(v, ts, start, early, exemplars)), new Instant(ts));
  }

  @Override
  @SuppressWarnings("deprecation") // moving global-window panes back to their latest event time
  public Duration getAllowedTimestampSkew() {
    return allTime();
  }

  static Duration allTime() {
    return Duration.millis(
        BoundedWindow.TIMESTAMP_MAX_VALUE.getMillis()
            - BoundedWindow.TIMESTAMP_MIN_VALUE.getMillis());
  }

  /** The same for a native histogram's combined buckets and the exemplars picked. */
  static final class OfNative extends DoFn<KV<Labels, NativeBuckets.Out>, KV<Labels, Pane>> {
    @ProcessElement
    public void process(
        @Element KV<Labels, NativeBuckets.Out> kv,
        BoundedWindow window,
        PaneInfo paneInfo,
        OutputReceiver<KV<Labels, Pane>> out) {
      output(kv.getKey(), kv.getValue().values, kv.getValue().exemplars, window, paneInfo, out);
    }

    @Override
    @SuppressWarnings("deprecation") // as above
    public Duration getAllowedTimestampSkew() {
      return allTime();
    }
  }
}

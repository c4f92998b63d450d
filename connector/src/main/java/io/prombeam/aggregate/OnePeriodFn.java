package io.prombeam.aggregate;

import io.prombeam.model.Labels;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.values.KV;

/**
 * For running totals over sliding windows: an element sits in size/period overlapping windows; keep
 * only its copy in the window that starts in the element's own period, so it is counted once.
 */
final class OnePeriodFn extends DoFn<KV<Labels, Observation>, KV<Labels, Observation>> {
  private final long periodMillis;
  private final long offsetMillis;

  OnePeriodFn(long periodMillis, long offsetMillis) {
    this.periodMillis = periodMillis;
    this.offsetMillis = offsetMillis;
  }

  @ProcessElement
  public void process(
      @Element KV<Labels, Observation> e,
      BoundedWindow window,
      OutputReceiver<KV<Labels, Observation>> out) {
    long ts = e.getValue().timestampMillis;
    long periodStart = ts - Math.floorMod(ts - offsetMillis, periodMillis);
    if (((IntervalWindow) window).start().getMillis() == periodStart) {
      out.output(e);
    }
  }
}

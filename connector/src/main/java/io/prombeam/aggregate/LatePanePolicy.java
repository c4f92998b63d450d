package io.prombeam.aggregate;

/**
 * What to do with a pane whose natural timestamp (its window's last millisecond) is not after the
 * series' previous sample: a late pane, or an early/on-time pane after a later window already
 * fired. Prometheus refuses a sample that is not newer than the series' last one.
 */
public enum LatePanePolicy {
  /**
   * Emit it 1 ms after the series' previous sample. For counters and cumulative histograms the
   * value is the running total including the late data, so PromQL's increase() is exact over any
   * range that covers it; for gauges and summaries a late window's value briefly becomes the
   * current one. The default.
   */
  EMIT_AFTER_LATEST,
  /**
   * Do not emit it. Counters and cumulative histograms still add its data to the running total, so
   * it shows in the next emitted sample; gauge and summary values of such panes are dropped and
   * counted in the {@code prombeam:aggregate_panes_folded} counter.
   */
  FOLD_INTO_NEXT
}
